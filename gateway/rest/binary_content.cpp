// Binary content as itself (R4 binary.html#rest): a read of a Binary that asks for no FHIR
// format (Accept: application/pdf, text/plain) answers with the content in the Binary's own
// contentType, and a create or update whose body is not FHIR stores that body as the Binary's
// data, with X-Security-Context as its securityContext. The read goes through the same checks
// and audit as any read; the content is sent so that a browser never runs it (nosniff, a
// sandboxing Content-Security-Policy).
#include <optional>

#include <rapidjson/document.h>

#include "fhir/io/base64.h"
#include "fhir/json/json_writer.h"
#include "gateway/rest/service.h"
#include "gateway/rest/service_call.h"

namespace carebridge::gateway::rest {

bool FhirService::is_binary_content_read(const Call& call) const {
  const auto& s = call.segments;
  bool get = call.request.method == "GET" || call.request.method == "HEAD";
  return get && !call.negotiation.acceptable && !s.empty() && s[0] == "Binary" &&
         (s.size() == 2 || (s.size() == 4 && s[2] == "_history"));
}

http::Response FhirService::binary_content(Call& call) {
  const auto& s = call.segments;
  call.negotiation.acceptable = true;  // a refusal is written as FHIR JSON
  std::optional<int64_t> version;
  if (s.size() == 4) {
    version = parse_etag("\"" + s[3] + "\"");
    if (!version) return outcome(call, 404, {{fhir::model::Severity::Error, "not-found", "Binary/" + s[1] + " has no version '" + s[3] + "'", {}, {}}});
  }
  Result read_result = read(call, "Binary", s[1], version);
  if (read_result.status != 200) return render_read(call, read_result);
  rapidjson::Document binary;
  binary.Parse(read_result.resource_json.c_str());
  auto text = [&](const char* name) {
    return binary.IsObject() && binary.HasMember(name) && binary[name].IsString() ? std::string(binary[name].GetString()) : std::string();
  };
  auto data = fhir::io::base64_decode(text("data"));
  if (!data) return outcome(call, 500, {{fhir::model::Severity::Error, "exception", "the stored Binary's data is not base64", {}, {}}});
  http::Response r;
  r.status = 200;
  r.body = call.request.method == "HEAD" ? std::string() : std::move(*data);
  std::string type = text("contentType");
  r.set_header("Content-Type", type.empty() ? "application/octet-stream" : type);
  r.set_header("X-Content-Type-Options", "nosniff");
  r.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
  if (!read_result.etag.empty()) r.set_header("ETag", read_result.etag);
  return r;
}

std::optional<http::Request> FhirService::binary_resource_request(const http::Request& request) const {
  const std::string& m = request.method;
  if ((m != "POST" && m != "PUT") || request.target.find("Binary") == std::string::npos) return std::nullopt;
  std::string content_type(request.header("Content-Type"));
  if (content_type.empty() || body_format(request) != fhir::io::Format::Unknown) return std::nullopt;
  Call call = make_call(request, nullptr);
  const auto& s = call.segments;
  if (s.empty() || s[0] != "Binary" || !(m == "POST" ? s.size() == 1 : s.size() == 2)) return std::nullopt;
  std::string json = R"({"resourceType":"Binary")";
  auto member = [&](const char* name, std::string_view value) {
    json += std::string(",\"") + name + "\":";
    fhir::json::append_json_string(json, value);
  };
  if (s.size() == 2) member("id", s[1]);
  member("contentType", std::string_view(content_type).substr(0, content_type.find(';')));
  if (auto context = request.header("X-Security-Context"); !context.empty()) {
    json += R"(,"securityContext":{"reference":)";
    fhir::json::append_json_string(json, context);
    json += "}";
  }
  json += R"(,"data":")" + fhir::io::base64_encode(request.body) + "\"}";
  http::Request wrapped = request;
  wrapped.body = std::move(json);
  for (auto& [name, value] : wrapped.headers)
    if (http::iequals(name, "Content-Type")) value = "application/fhir+json";
  return wrapped;
}

}  // namespace carebridge::gateway::rest
