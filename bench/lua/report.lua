-- Appended to every case's script: one machine-readable line when wrk ends.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, '
      .. '"p99_us": %d, "status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
