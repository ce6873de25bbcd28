-- Image searches that no cache has seen: each request differs from every
-- other of the run in min_width and min_height, which filter nothing here
-- (every image is wider and taller), so each is a miss with a full page.
-- Arguments: the first number to use, how many searches in all (the run
-- stops then, or at its time limit, whichever comes first), and the
-- number of wrk threads.
local threads_started = 0

function setup(thread)
  thread:set("slot", threads_started)
  threads_started = threads_started + 1
end

local first, limit, threads, sent = 0, 0, 1, 0

function init(args)
  first = tonumber(args[1])
  limit = tonumber(args[2])
  threads = tonumber(args[3])
end

function request()
  local n = first + sent * threads + slot
  sent = sent + 1
  -- n and the search are one to one for n below 20,000,000.
  return wrk.format("GET", string.format(
    "/api/v1/images?q=bulk&min_width=%d&min_height=%d&page=%d",
    n % 1000 + 1, math.floor(n / 1000) % 1000 + 1,
    math.floor(n / 1000000) % 20 + 1))
end

function response(status, headers, body)
  if sent * threads >= limit then
    wrk.thread:stop()
  end
end
