// Reads the JSON config file with RapidJSON. Unknown members are errors so that a
// misspelt setting is noticed at start-up rather than silently ignored.
#include "gateway/config/config.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <arpa/inet.h>

#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>
#include <limits>

namespace carebridge::gateway::config {
namespace {

using Value = rapidjson::Value;

bool read_uint(const Value& object, const char* name, uint64_t& out, std::string& error) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return true;
  if (!it->value.IsUint64()) {
    error = std::string("\"") + name + "\" must be a non-negative integer";
    return false;
  }
  out = it->value.GetUint64();
  return true;
}

template <typename T>
bool read_number(const Value& object, const char* name, T& out, std::string& error) {
  uint64_t v = out;
  if (!read_uint(object, name, v, error)) return false;
  if constexpr (sizeof(T) < sizeof(uint64_t)) {
    if (v > std::numeric_limits<T>::max()) {  // not wrapped round to a small value
      error = std::string("\"") + name + "\" must be at most " + std::to_string(std::numeric_limits<T>::max());
      return false;
    }
  }
  out = static_cast<T>(v);
  return true;
}

bool read_string(const Value& object, const char* name, std::string& out, std::string& error) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return true;
  if (!it->value.IsString()) {
    error = std::string("\"") + name + "\" must be a string";
    return false;
  }
  out = it->value.GetString();
  return true;
}

bool only_known(const Value& object, std::initializer_list<const char*> known, const char* where, std::string& error) {
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    bool found = false;
    for (const char* k : known) found = found || std::string_view(it->name.GetString()) == k;
    if (!found) {
      error = std::string("unknown setting \"") + it->name.GetString() + "\" in " + where;
      return false;
    }
  }
  return true;
}

bool read_listen(const Value& item, Listen& listen, std::string& error) {
  if (item.IsString()) {
    if (!parse_listen(item.GetString(), listen)) {
      error = std::string("\"listen\": cannot read \"") + item.GetString() + "\" as HOST:PORT";
      return false;
    }
    return true;
  }
  if (!item.IsObject()) {
    error = "\"listen\" entries must be \"HOST:PORT\" or objects";
    return false;
  }
  if (!only_known(item, {"address", "tls_certificate", "tls_private_key", "tls_client_ca",
                         "tls_client_certificate_required"},
                  "listen", error))
    return false;
  if (auto required = item.FindMember("tls_client_certificate_required"); required != item.MemberEnd()) {
    if (!required->value.IsBool()) return (error = "\"tls_client_certificate_required\" must be true or false", false);
    listen.tls_client_certificate_required = required->value.GetBool();
  }
  std::string address;
  if (!read_string(item, "address", address, error)) return false;
  if (!address.empty() && !parse_listen(address, listen)) {
    error = "\"listen.address\": cannot read \"" + address + "\" as HOST:PORT";
    return false;
  }
  return read_string(item, "tls_certificate", listen.tls_certificate, error) &&
         read_string(item, "tls_private_key", listen.tls_private_key, error) &&
         read_string(item, "tls_client_ca", listen.tls_client_ca, error);
}

bool read_policy(const Value& value, const std::string& where, std::string& out, std::string& error) {
  if (!value.IsString() || (value.GetString() != std::string_view("ingest") && value.GetString() != std::string_view("strict"))) {
    error = "\"" + where + "\" must be \"ingest\" or \"strict\"";
    return false;
  }
  out = value.GetString();
  return true;
}

bool read_validation(const Value& v, Validation& validation, std::string& error) {
  if (!v.IsObject() || !only_known(v, {"policy", "types"}, "validation", error))
    return error.empty() ? (error = "\"validation\" must be an object", false) : false;
  if (auto p = v.FindMember("policy"); p != v.MemberEnd() && !read_policy(p->value, "validation.policy", validation.policy, error))
    return false;
  if (auto t = v.FindMember("types"); t != v.MemberEnd()) {
    if (!t->value.IsObject()) return (error = "\"validation.types\" must map resource types to policies", false);
    for (auto p = t->value.MemberBegin(); p != t->value.MemberEnd(); ++p) {
      std::string type = p->name.GetString();
      if (!read_policy(p->value, "validation.types." + type, validation.types[type], error)) return false;
    }
  }
  return true;
}

// A list of strings; `what` says in the error what it should hold.
bool read_strings(const Value& v, std::vector<std::string>& out, const std::string& what, std::string& error) {
  if (!v.IsArray()) return (error = what, false);
  for (const auto& p : v.GetArray()) {
    if (!p.IsString()) return (error = what, false);
    out.emplace_back(p.GetString());
  }
  return true;
}

bool read_listens(const Value& value, std::vector<Listen>& out, std::string& error) {
  out.clear();
  if (!value.IsArray()) {
    Listen listen;
    if (!read_listen(value, listen, error)) return false;
    out.push_back(listen);
    return true;
  }
  for (const auto& item : value.GetArray()) {
    Listen listen;
    if (!read_listen(item, listen, error)) return false;
    out.push_back(listen);
  }
  return true;
}

bool read_limits(const Value& l, Limits& m, std::string& error) {
  if (!l.IsObject() ||
      !only_known(l, {"max_body_bytes", "max_header_bytes", "request_timeout_ms", "idle_timeout_ms",
                      "shutdown_timeout_ms", "max_transaction_entries", "max_pending_requests", "default_page_size",
                      "max_page_size", "search_timeout_ms", "max_response_bytes", "max_search_values",
                      "max_search_parameters", "max_has_depth", "max_search_query_bytes", "requests_per_second",
                      "request_burst", "max_rate_limited_clients", "max_connections_per_address"},
                  "limits", error))
    return error.empty() ? (error = "\"limits\" must be an object", false) : false;
  return read_number(l, "max_body_bytes", m.max_body_bytes, error) &&
         read_number(l, "max_header_bytes", m.max_header_bytes, error) &&
         read_number(l, "request_timeout_ms", m.request_timeout_ms, error) &&
         read_number(l, "idle_timeout_ms", m.idle_timeout_ms, error) &&
         read_number(l, "shutdown_timeout_ms", m.shutdown_timeout_ms, error) &&
         read_number(l, "max_transaction_entries", m.max_transaction_entries, error) &&
         read_number(l, "max_pending_requests", m.max_pending_requests, error) &&
         read_number(l, "default_page_size", m.default_page_size, error) &&
         read_number(l, "max_page_size", m.max_page_size, error) &&
         read_number(l, "search_timeout_ms", m.search_timeout_ms, error) &&
         read_number(l, "max_response_bytes", m.max_response_bytes, error) &&
         read_number(l, "max_search_values", m.max_search_values, error) &&
         read_number(l, "max_search_parameters", m.max_search_parameters, error) &&
         read_number(l, "max_has_depth", m.max_has_depth, error) &&
         read_number(l, "max_search_query_bytes", m.max_search_query_bytes, error) &&
         read_number(l, "requests_per_second", m.requests_per_second, error) &&
         read_number(l, "request_burst", m.request_burst, error) &&
         read_number(l, "max_rate_limited_clients", m.max_rate_limited_clients, error) &&
         read_number(l, "max_connections_per_address", m.max_connections_per_address, error);
}

bool read_logging(const Value& l, Logging& logging, std::string& error) {
  if (!l.IsObject() || !only_known(l, {"requests", "file"}, "logging", error))
    return error.empty() ? (error = "\"logging\" must be an object", false) : false;
  if (auto r = l.FindMember("requests"); r != l.MemberEnd()) {
    if (!r->value.IsBool()) return (error = "\"logging.requests\" must be true or false", false);
    logging.requests = r->value.GetBool();
  }
  return read_string(l, "file", logging.file, error);
}

bool read_cors(const Value& c, Cors& cors, std::string& error) {
  if (!c.IsObject() || !only_known(c, {"allowed_origins"}, "cors", error))
    return error.empty() ? (error = "\"cors\" must be an object", false) : false;
  auto o = c.FindMember("allowed_origins");
  return o == c.MemberEnd() ||
         read_strings(o->value, cors.allowed_origins,
                      "\"cors.allowed_origins\" must be a list of origins such as \"https://app.example.org\"", error);
}

bool read_issuer(const Value& v, ExternalIssuer& issuer, std::string& error) {
  if (!v.IsObject() || !only_known(v, {"issuer", "jwks_file", "audiences", "organization_claim"}, "auth.issuers", error))
    return error.empty() ? (error = "\"auth.issuers\" must be a list of objects", false) : false;
  auto audiences = v.FindMember("audiences");
  if (!read_string(v, "issuer", issuer.issuer, error) || !read_string(v, "jwks_file", issuer.jwks_file, error) ||
      !read_string(v, "organization_claim", issuer.organization_claim, error) ||
      (audiences != v.MemberEnd() &&
       !read_strings(audiences->value, issuer.audiences, "\"auth.issuers[].audiences\" must be a list of strings", error)))
    return false;
  if (issuer.issuer.empty() || issuer.jwks_file.empty())
    return (error = "each of \"auth.issuers\" needs \"issuer\" and \"jwks_file\"", false);
  return true;
}

bool read_auth(const Value& a, Auth& auth, std::string& error) {
  if (!a.IsObject() || !only_known(a, {"required", "metrics_public", "open_paths", "token_lifetime_s", "clock_skew_s",
                                       "issuer", "issuers"},
                                   "auth", error))
    return error.empty() ? (error = "\"auth\" must be an object", false) : false;
  for (const char* flag : {"required", "metrics_public"}) {
    auto it = a.FindMember(flag);
    if (it == a.MemberEnd()) continue;
    if (!it->value.IsBool()) return (error = std::string("\"auth.") + flag + "\" must be true or false", false);
    if (std::string_view(flag) == "required") auth.required = it->value.GetBool();
    else auth.metrics_public = it->value.GetBool();
  }
  auto open = a.FindMember("open_paths");
  if (open != a.MemberEnd() &&
      !read_strings(open->value, auth.open_paths, "\"auth.open_paths\" must be a list of paths", error))
    return false;
  if (!read_number(a, "token_lifetime_s", auth.token_lifetime_s, error) ||
      !read_number(a, "clock_skew_s", auth.clock_skew_s, error) || !read_string(a, "issuer", auth.issuer, error))
    return false;
  if (auth.clock_skew_s > 300) return (error = "\"auth.clock_skew_s\" must be at most 300", false);
  if (auth.token_lifetime_s == 0 || auth.token_lifetime_s > 3600)
    return (error = "\"auth.token_lifetime_s\" must be between 1 and 3600", false);
  auto issuers = a.FindMember("issuers");
  if (issuers == a.MemberEnd()) return true;
  if (!issuers->value.IsArray()) return (error = "\"auth.issuers\" must be a list", false);
  for (const auto& item : issuers->value.GetArray()) {
    if (!read_issuer(item, auth.issuers.emplace_back(), error)) return false;
  }
  return true;
}

bool read_profiles(const Value& value, std::map<std::string, std::vector<std::string>>& profiles, std::string& error) {
  if (!value.IsObject()) return (error = "\"profiles\" must map resource types to lists of URLs", false);
  for (auto p = value.MemberBegin(); p != value.MemberEnd(); ++p) {
    if (!read_strings(p->value, profiles[p->name.GetString()], "\"profiles\" values must be arrays of URLs", error)) return false;
  }
  return true;
}

bool read_formats(const Value& value, std::map<std::string, std::vector<std::string>>& formats, std::string& error) {
  if (!value.IsObject()) return (error = "\"agency_formats\" must map organization ids to lists of mapping names", false);
  for (auto p = value.MemberBegin(); p != value.MemberEnd(); ++p) {
    if (!read_strings(p->value, formats[p->name.GetString()], "\"agency_formats\" values must be lists of mapping names", error))
      return false;
  }
  return true;
}

bool read_mllp(const Value& value, std::vector<MllpListen>& out, std::string& error) {
  if (!value.IsArray()) return (error = "\"mllp\" must be a list of listeners", false);
  for (const auto& item : value.GetArray()) {
    MllpListen m;
    if (!item.IsObject() ||
        !only_known(item, {"address", "client", "tls_certificate", "tls_private_key", "tls_client_ca",
                           "tls_client_certificate_required", "max_message_bytes", "frame_timeout_ms", "idle_timeout_ms"},
                    "mllp", error))
      return error.empty() ? (error = "\"mllp\" entries must be objects", false) : false;
    std::string address;
    if (!read_string(item, "address", address, error) || !read_string(item, "client", m.client, error) ||
        !read_string(item, "tls_certificate", m.listen.tls_certificate, error) ||
        !read_string(item, "tls_private_key", m.listen.tls_private_key, error) ||
        !read_string(item, "tls_client_ca", m.listen.tls_client_ca, error) ||
        !read_number(item, "max_message_bytes", m.max_message_bytes, error) ||
        !read_number(item, "frame_timeout_ms", m.frame_timeout_ms, error) ||
        !read_number(item, "idle_timeout_ms", m.idle_timeout_ms, error))
      return false;
    if (auto required = item.FindMember("tls_client_certificate_required"); required != item.MemberEnd()) {
      if (!required->value.IsBool()) return (error = "\"mllp.tls_client_certificate_required\" must be true or false", false);
      m.listen.tls_client_certificate_required = required->value.GetBool();
    }
    if (!address.empty() && !parse_listen(address, m.listen))
      return (error = "\"mllp.address\": cannot read \"" + address + "\" as HOST:PORT", false);
    out.push_back(std::move(m));
  }
  return true;
}

bool read_routing(const Value& v, Routing& routing, std::string& error) {
  if (!v.IsObject() || !only_known(v, {"allowed_hosts", "retry_hours", "delivery_threads", "websocket", "max_backlog",
                                         "client_certificate", "client_private_key", "trusted_ca"}, "routing", error))
    return error.empty() ? (error = "\"routing\" must be an object", false) : false;
  if (auto hosts = v.FindMember("allowed_hosts"); hosts != v.MemberEnd() &&
      !read_strings(hosts->value, routing.allowed_hosts, "\"routing.allowed_hosts\" must be a list of host names", error))
    return false;
  return read_string(v, "websocket", routing.websocket, error) && read_number(v, "retry_hours", routing.retry_hours, error) &&
         read_string(v, "client_certificate", routing.client_certificate, error) &&
         read_string(v, "client_private_key", routing.client_private_key, error) &&
         read_string(v, "trusted_ca", routing.trusted_ca, error) &&
         read_number(v, "delivery_threads", routing.delivery_threads, error) &&
         read_number(v, "max_backlog", routing.max_backlog, error);
}

// "public_base_url": an http or https URL with a host, no query or fragment; its trailing
// '/' dropped, as a FHIR base has none.
bool public_base_url(std::string& url, std::string& error) {
  if (url.empty()) return true;
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  size_t scheme = url.starts_with("https://") ? 8 : url.starts_with("http://") ? 7 : 0;
  bool has_host = scheme && url.size() > scheme && url[scheme] != '/';
  if (has_host && url.find_first_of("?# ") == std::string::npos) return true;
  return (error = "\"public_base_url\" must be an http or https URL such as \"https://gateway.example.org/fhir\", not \"" +
                  url + "\"", false);
}

bool read_config(const Value& root, Config& config, std::string& error) {
  if (!root.IsObject()) {
    error = "the config must be a JSON object";
    return false;
  }
  if (!only_known(root, {"listen", "data_dir", "base_path", "io_threads", "worker_threads", "limits", "logging",
                         "profiles", "port_file", "packages", "validation", "cors", "auth", "mllp", "mllp_port_file", "routing",
                         "agency_formats", "hl7v2_time_zone", "public_base_url"},
                  "the config", error))
    return false;
  if (!read_string(root, "data_dir", config.data_dir, error) ||
      !read_string(root, "base_path", config.base_path, error) ||
      !read_string(root, "port_file", config.port_file, error) ||
      !read_string(root, "mllp_port_file", config.mllp_port_file, error) ||
      !read_string(root, "hl7v2_time_zone", config.hl7v2_time_zone, error) ||
      !read_string(root, "public_base_url", config.public_base_url, error) ||
      !read_number(root, "io_threads", config.io_threads, error) ||
      !read_number(root, "worker_threads", config.worker_threads, error))
    return false;
  if (const std::string& z = config.hl7v2_time_zone;
      !z.empty() && z != "Z" &&
      !(z.size() == 6 && (z[0] == '+' || z[0] == '-') && std::isdigit(static_cast<unsigned char>(z[1])) &&
        std::isdigit(static_cast<unsigned char>(z[2])) && z[3] == ':' && std::isdigit(static_cast<unsigned char>(z[4])) &&
        std::isdigit(static_cast<unsigned char>(z[5])) && (z[1] - '0') * 10 + (z[2] - '0') <= 14 && z[4] <= '5'))
    return (error = "\"hl7v2_time_zone\" must be an offset such as \"-05:00\" or \"Z\", not \"" + z + "\"", false);
  if (!public_base_url(config.public_base_url, error)) return false;
  // Each section by its reader; a section that is absent keeps its defaults.
  auto section = [&](const char* name, auto&& read) {
    auto it = root.FindMember(name);
    return it == root.MemberEnd() || read(it->value);
  };
  return section("listen", [&](const Value& v) { return read_listens(v, config.listen, error); }) &&
         section("limits", [&](const Value& v) { return read_limits(v, config.limits, error); }) &&
         section("logging", [&](const Value& v) { return read_logging(v, config.logging, error); }) &&
         section("validation", [&](const Value& v) { return read_validation(v, config.validation, error); }) &&
         section("packages",
                 [&](const Value& v) {
                   return read_strings(v, config.packages, "\"packages\" must be a list of package folders or .tgz files",
                                       error);
                 }) &&
         section("cors", [&](const Value& v) { return read_cors(v, config.cors, error); }) &&
         section("auth", [&](const Value& v) { return read_auth(v, config.auth, error); }) &&
         section("mllp", [&](const Value& v) { return read_mllp(v, config.mllp, error); }) &&
         section("routing", [&](const Value& v) { return read_routing(v, config.routing, error); }) &&
         section("profiles", [&](const Value& v) { return read_profiles(v, config.profiles, error); }) &&
         section("agency_formats", [&](const Value& v) { return read_formats(v, config.agency_formats, error); });
}

}  // namespace

bool Auth::tokens_required(const std::vector<Listen>& listen) const {
  if (required) return *required;
  for (const auto& l : listen) {
    in_addr v4{};
    bool loopback = l.host == "localhost" || l.host == "::1" ||
                    (inet_pton(AF_INET, l.host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127);
    if (!loopback) return true;
  }
  return false;
}

const std::string& Validation::policy_for(std::string_view type) const {
  auto it = types.find(type);
  return it == types.end() ? policy : it->second;
}

bool parse_listen(const std::string& text, Listen& listen) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto digits = std::string_view(text).substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port > 65535) return false;
  listen.host = host;
  listen.port = static_cast<uint16_t>(port);
  return true;
}

std::optional<Config> load_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open the config file " + path;
    return std::nullopt;
  }
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError()) {
    error = path + ": not JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
            rapidjson::GetParseError_En(doc.GetParseError());
    return std::nullopt;
  }
  Config config;
  if (!read_config(doc, config, error)) {
    error = path + ": " + error;
    return std::nullopt;
  }
  return config;
}

}  // namespace carebridge::gateway::config
