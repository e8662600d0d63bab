// The request pipeline without a server: routes (exact, prefix, templates, slots
// still to come), stages in order (a refusal stops the request, responses pass the
// stages back), HTTP/1.1 Host, CORS preflight and headers, gzip, observers' labels.
#include <catch2/catch.hpp>

#include <zlib.h>

#include "gateway/pipeline/pipeline.h"
#include "gateway/pipeline/stages.h"
#include "gateway/pipeline/system_routes.h"

using namespace carebridge::gateway;
using namespace carebridge::gateway::pipeline;

namespace {

std::shared_ptr<http::Request> request(const std::string& method, const std::string& target, http::Headers headers = {}) {
  auto r = std::make_shared<http::Request>();
  r->method = method;
  r->target = target;
  r->headers = std::move(headers);
  if (r->header("Host").empty()) r->headers.emplace_back("Host", "gateway.test");
  return r;
}

// Runs the pipeline on a request and returns the response it replies with (synchronously).
http::Response run(const Pipeline& p, std::shared_ptr<http::Request> r) {
  http::Response out;
  http::Responder responder;
  responder.reply = [&out](std::function<http::Response()> make) { out = make(); };
  responder.defer = [](std::function<void()> work) { work(); };
  p.handle(std::move(r), responder);
  return out;
}

std::string header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (http::iequals(k, name)) return v;
  }
  return {};
}

http::Handler echo(const std::string& what) {
  return http::answer_at_once([what](const http::Request& r) {
    http::Response out;
    out.body = what + " " + r.target;
    out.set_header("Content-Type", "application/fhir+json");
    return out;
  });
}

struct Counting final : Stage {
  std::vector<std::string>& log;
  std::string name;
  bool refuse;
  Counting(std::vector<std::string>& l, std::string n, bool r) : log(l), name(std::move(n)), refuse(r) {}
  std::optional<http::Response> before(Exchange&) override {
    log.push_back(name + ">");
    if (refuse) return outcome_response(403, "forbidden", name + " says no");
    return std::nullopt;
  }
  void after(const Exchange&, http::Response& r) override {
    log.push_back("<" + name);
    r.headers.emplace_back("X-Seen-By", name);
  }
};

std::string gunzip(const std::string& data) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  inflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  return out;
}

}  // namespace

TEST_CASE("routes match exact paths, prefixes and templates, slots name what is to come", "[gateway][pipeline]") {
  RouteTable table;
  table.add({"fhir", "/fhir", true, echo("fhir"), nullptr});
  table.add(healthz_route());
  for (auto& r : routes_to_come()) table.add(std::move(r));
  RouteParams params;
  CHECK(table.match("/fhir", params)->name == "fhir");
  CHECK(table.match("/fhir/Patient/1", params)->name == "fhir");
  CHECK(table.match("/fhirx", params) == nullptr);
  CHECK(table.match("/healthz", params)->name == "healthz");
  const Route* ingest = table.match("/ingest/hmis", params);
  REQUIRE(ingest);
  CHECK(ingest->name == "ingest");
  CHECK(route_param(params, "mapping") == "hmis");
  CHECK(table.match("/ingest", params) == nullptr);
  CHECK(table.match("/ingest/a/b", params) == nullptr);
  Pipeline p(std::move(table), {}, {});
  auto slot = run(p, request("POST", "/ingest/hmis"));
  CHECK(slot.status == 404);
  CHECK_THAT(slot.body, Catch::Contains("ingest") && Catch::Contains("not available"));
  CHECK(run(p, request("GET", "/nowhere")).status == 404);
  CHECK(run(p, request("GET", "/fhir/Patient?x=1")).body == "fhir /fhir/Patient?x=1");
}

TEST_CASE("stages run in order, a refusal stops the request, and responses pass them back", "[gateway][pipeline]") {
  std::vector<std::string> log;
  RouteTable table;
  table.add({"fhir", "/fhir", true, echo("fhir"), nullptr});
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<Counting>(log, "a", false));
  stages.push_back(std::make_unique<Counting>(log, "b", false));
  Pipeline open(std::move(table), std::move(stages), {});
  auto r = run(open, request("GET", "/fhir/metadata"));
  CHECK(r.status == 200);
  CHECK(log == std::vector<std::string>{"a>", "b>", "<b", "<a"});

  log.clear();
  RouteTable table2;
  table2.add({"fhir", "/fhir", true, echo("fhir"), nullptr});
  std::vector<std::unique_ptr<Stage>> refusing;
  refusing.push_back(std::make_unique<Counting>(log, "a", false));
  refusing.push_back(std::make_unique<Counting>(log, "auth", true));
  refusing.push_back(std::make_unique<Counting>(log, "c", false));
  Pipeline closed(std::move(table2), std::move(refusing), {});
  auto refused = run(closed, request("GET", "/fhir/Patient"));
  CHECK(refused.status == 403);
  CHECK_THAT(refused.body, Catch::Contains("OperationOutcome") && Catch::Contains("auth says no"));
  CHECK(log == std::vector<std::string>{"a>", "auth>", "<auth", "<a"});  // c and the handler never ran
}

TEST_CASE("an HTTP/1.1 request without Host is refused, HTTP/1.0 may omit it", "[gateway][pipeline]") {
  RouteTable table;
  table.add(healthz_route());
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<RequestChecks>());
  Pipeline p(std::move(table), std::move(stages), {});
  auto no_host = std::make_shared<http::Request>();
  no_host->method = "GET";
  no_host->target = "/healthz";
  auto refused = run(p, no_host);
  CHECK(refused.status == 400);
  CHECK_THAT(refused.body, Catch::Contains("Host"));
  no_host->version = 10;
  CHECK(run(p, no_host).status == 200);
  CHECK(run(p, request("GET", "/healthz")).status == 200);
}

TEST_CASE("CORS: preflight and headers for loopback and configured origins only", "[gateway][pipeline]") {
  RouteTable table;
  table.add({"fhir", "/fhir", true, echo("fhir"), nullptr});
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<Cors>(std::vector<std::string>{"https://app.example.org"}));
  Pipeline p(std::move(table), std::move(stages), {});
  auto preflight = run(p, request("OPTIONS", "/fhir/Patient",
                                  {{"Origin", "https://app.example.org"}, {"Access-Control-Request-Method", "POST"},
                                   {"Access-Control-Request-Headers", "content-type, authorization"}}));
  CHECK(preflight.status == 204);
  CHECK(header(preflight, "Access-Control-Allow-Origin") == "https://app.example.org");
  CHECK_THAT(header(preflight, "Access-Control-Allow-Methods"), Catch::Contains("POST"));
  CHECK(header(preflight, "Access-Control-Allow-Headers") == "content-type, authorization");
  auto local = run(p, request("GET", "/fhir/Patient", {{"Origin", "http://localhost:5173"}}));
  CHECK(header(local, "Access-Control-Allow-Origin") == "http://localhost:5173");
  auto stranger = run(p, request("GET", "/fhir/Patient", {{"Origin", "https://evil.example.com"}}));
  CHECK(stranger.status == 200);
  CHECK(header(stranger, "Access-Control-Allow-Origin").empty());
  auto stranger_preflight =
      run(p, request("OPTIONS", "/fhir/Patient", {{"Origin", "https://evil.example.com"}, {"Access-Control-Request-Method", "DELETE"}}));
  CHECK(header(stranger_preflight, "Access-Control-Allow-Origin").empty());
}

TEST_CASE("large textual responses are gzipped for clients that accept it", "[gateway][pipeline]") {
  std::string big(20000, 'x');
  RouteTable table;
  table.add({"fhir", "/fhir", true, echo(big), nullptr});
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<Compression>());
  Pipeline p(std::move(table), std::move(stages), {});
  auto zipped = run(p, request("GET", "/fhir/Patient", {{"Accept-Encoding", "br, gzip;q=0.8"}}));
  CHECK(header(zipped, "Content-Encoding") == "gzip");
  CHECK(zipped.body.size() < big.size() / 10);
  CHECK(gunzip(zipped.body) == big + " /fhir/Patient");
  auto plain = run(p, request("GET", "/fhir/Patient"));
  CHECK(header(plain, "Content-Encoding").empty());
  auto refused = run(p, request("GET", "/fhir/Patient", {{"Accept-Encoding", "gzip;q=0"}}));
  CHECK(header(refused, "Content-Encoding").empty());
}

TEST_CASE("observers see each response with its route's bounded label", "[gateway][pipeline]") {
  struct Seen final : Observer {
    std::vector<std::string> labels;
    void observe(const http::Request&, const std::string& label, const http::Response&, double) override {
      labels.push_back(label);
    }
  } seen;
  RouteTable table;
  table.add({"fhir", "/fhir", true, echo("fhir"), [](std::string_view) { return std::string("/fhir/{type}"); }});
  table.add(healthz_route());
  Pipeline p(std::move(table), {}, {&seen});
  http::Response r;
  p.observe(*request("GET", "/fhir/Patient/1?x=y"), r, 0.001);
  p.observe(*request("GET", "/healthz"), r, 0.001);
  p.observe(*request("GET", "/random/path/123"), r, 0.001);
  CHECK(seen.labels == std::vector<std::string>{"/fhir/{type}", "/healthz", "other"});
}

TEST_CASE("request bodies sent with gzip or deflate reach the handler inflated within the body limit", "[gateway][pipeline]") {
  // The handler echoes the body it got and the Content-Encoding it saw.
  RouteTable table;
  table.add({"fhir", "/fhir", true, http::answer_at_once([](const http::Request& r) {
               http::Response out;
               out.body = std::string(r.header("Content-Encoding")) + "|" + r.body;
               return out;
             }),
             nullptr});
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<RequestDecompression>(1000));
  Pipeline p(std::move(table), std::move(stages), {});
  auto post = [&](const std::string& coding, std::string body) {
    auto r = request("POST", "/fhir", {{"Content-Encoding", coding}});
    r->body = std::move(body);
    return run(p, r);
  };
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction"})";
  auto zipped = post("gzip", *gzip(bundle));
  CHECK(zipped.status == 200);
  CHECK(zipped.body == "|" + bundle);
  std::string zlib(compressBound(static_cast<uLong>(bundle.size())), '\0');  // HTTP's "deflate" is zlib
  uLongf zlib_size = static_cast<uLongf>(zlib.size());
  REQUIRE(compress(reinterpret_cast<Bytef*>(zlib.data()), &zlib_size, reinterpret_cast<const Bytef*>(bundle.data()),
                   static_cast<uLong>(bundle.size())) == Z_OK);
  zlib.resize(zlib_size);
  CHECK(post("deflate", zlib).body == "|" + bundle);
  // "deflate" as raw DEFLATE, without zlib's header and checksum, as some clients send it.
  CHECK(post("deflate", zlib.substr(2, zlib.size() - 6)).body == "|" + bundle);
  CHECK(post("deflate", bundle).status == 400);
  CHECK(post("identity", bundle).body == "identity|" + bundle);
  CHECK(post("gzip", "").status == 200);  // no body: nothing to inflate
  // A bomb past the limit, bytes that are not gzip, a truncated stream and another coding.
  CHECK(post("gzip", *gzip(std::string(1001, 'a'))).status == 413);
  CHECK(post("gzip", *gzip(std::string(1000, 'a'))).status == 200);
  CHECK(post("gzip", bundle).status == 400);
  std::string whole = *gzip(bundle);
  CHECK(post("gzip", whole.substr(0, whole.size() / 2)).status == 400);
  CHECK(post("gzip", whole + "trailing").status == 400);
  auto other = post("br", bundle);
  CHECK(other.status == 415);
  CHECK(header(other, "Accept-Encoding") == "gzip, deflate");
}
