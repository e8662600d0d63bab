-- wrk: GET /fhir/Patient?family=SearchNN&_count=10, going round SEARCH_NAMES family
-- names (environment, default 100; bench/load/compare-server.sh seeds each server with
-- the same Patients, SEED / SEARCH_NAMES of each name). The names have two digits, so
-- none is a prefix of another (string search matches prefixes): every search matches
-- the same number of Patients on both servers.
local names = tonumber(os.getenv("SEARCH_NAMES") or "100")
local counter = 0

function setup(thread)
  thread:set("offset", counter * 37)  -- threads start at different names
  counter = counter + 1
end

local next_name = nil
function request()
  next_name = ((next_name or offset or 0) + 1) % names
  return wrk.format("GET", string.format("/fhir/Patient?family=Search%02d&_count=10", next_name))
end
