-- PUT then DELETE of one favorite, moving through a pool of media ids.
-- Arguments: the media type, then the ids separated by commas. Each wrk
-- thread takes its own share of the ids, so that no two threads toggle the
-- same favorite at once.
local threads_started = 0

function setup(thread)
  thread:set("slot", threads_started)
  threads_started = threads_started + 1
end

local media_type, ids, sent = "image", {}, 0

function init(args)
  media_type = args[1]
  for id in string.gmatch(args[2], "%d+") do
    ids[#ids + 1] = id
  end
end

function request()
  local turn = math.floor(sent / 2)
  local id = ids[((turn * 2 + slot) % #ids) + 1]
  local method = (sent % 2 == 0) and "PUT" or "DELETE"
  sent = sent + 1
  return wrk.format(
    method, "/api/v1/users/me/favorites/" .. media_type .. "/" .. id)
end
