-- wrk: POST /fhir with a transaction Bundle of TX_ENTRIES entries (environment,
-- default 10): half Patients, half Observations whose subject is the fullUrl
-- (urn:uuid) of a Patient of the same Bundle. Each request creates TX_ENTRIES
-- resources; done() prints resources/s = successful requests/s x TX_ENTRIES.
local n = tonumber(os.getenv("TX_ENTRIES") or "10")
local patients = math.ceil(n / 2)
local entries = {}
local function uuid(kind, i) return string.format("urn:uuid:%s-0000-4000-8000-%012d", kind, i) end
for i = 0, n - 1 do
  if i < patients then
    entries[#entries + 1] = string.format(
      '{"fullUrl":"%s","resource":{"resourceType":"Patient","identifier":[{"system":"http://hospital.example/mrn","value":"TX-%d"}],' ..
      '"name":[{"family":"Load","given":["Tx"]}],"gender":"female","birthDate":"1980-05-17"},"request":{"method":"POST","url":"Patient"}}',
      uuid("00000001", i), i)
  else
    entries[#entries + 1] = string.format(
      '{"fullUrl":"%s","resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org",' ..
      '"code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"%s"},"effectiveDateTime":"2024-01-02T09:30:00Z",' ..
      '"valueQuantity":{"value":72,"unit":"beats/minute","system":"http://unitsofmeasure.org","code":"/min"}},' ..
      '"request":{"method":"POST","url":"Observation"}}',
      uuid("00000002", i), uuid("00000001", (i - patients) % patients))
  end
end
wrk.method = "POST"
wrk.path = "/fhir"
wrk.headers["Content-Type"] = "application/fhir+json"
wrk.headers["Prefer"] = "return=minimal"
wrk.body = '{"resourceType":"Bundle","type":"transaction","entry":[' .. table.concat(entries, ",") .. ']}'

function done(summary, latency, requests)
  -- summary.requests counts the responses received; a non-2xx/3xx one created nothing.
  local failed = summary.errors.status
  local ok = summary.requests - failed
  io.write(string.format("transaction: %d entries/request, %d requests (%d failed), %.0f resources/s\n",
    n, summary.requests, failed, ok * n / (summary.duration / 1e6)))
end
