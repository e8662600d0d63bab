-- wrk: the create of create-patient.lua paced to RATE requests/s in all (environment;
-- WRK_THREADS must equal wrk's -t, default 2). wrk 4 has no rate option (wrk2 is not
-- in Debian): each thread hands out send slots RATE/WRK_THREADS per second from a
-- monotonic clock through wrk's delay() hook, so connections wait for their slot
-- instead of sending back to back. delay() has millisecond resolution: requests of
-- the same millisecond leave together (small bursts), the mean rate is exact as long
-- as the server keeps up. Latency is measured from the actual send (wrk's own), so a
-- server that falls behind shows it as a lower achieved rate, not as latency.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } cb_timespec;
  int clock_gettime(int clock, cb_timespec* ts);
]]
local ts = ffi.new("cb_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("RATE") or "1000")
local threads = tonumber(os.getenv("WRK_THREADS") or "2")
local interval = 1000 * threads / rate  -- ms between two sends of this thread
local next_slot = nil

wrk.method = "POST"
wrk.path = "/fhir/Patient"
wrk.headers["Content-Type"] = "application/fhir+json"
wrk.headers["Prefer"] = "return=minimal"
wrk.body = '{"resourceType":"Patient","name":[{"family":"Load","given":["Test"]}],"gender":"female","birthDate":"1980-05-17"}'

function delay()
  local now = now_ms()
  if next_slot == nil or next_slot < now then next_slot = now end
  local wait = next_slot - now
  next_slot = next_slot + interval
  return wait
end
