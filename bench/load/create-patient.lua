-- wrk: POST /fhir/Patient with a small valid Patient (each request creates one).
wrk.method = "POST"
wrk.path = "/fhir/Patient"
wrk.headers["Content-Type"] = "application/fhir+json"
wrk.headers["Prefer"] = "return=minimal"
wrk.body = '{"resourceType":"Patient","name":[{"family":"Load","given":["Test"]}],"gender":"female","birthDate":"1980-05-17"}'
