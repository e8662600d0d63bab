// Reading requests from bytes as the server does (gateway/http/request_reader.h):
// pipelining, chunked bodies, the limits and their answers, incomplete input.
#include <catch2/catch.hpp>

#include "gateway/http/request_reader.h"

using namespace carebridge::gateway;

TEST_CASE("pipelined requests are read in order, reading stops after Connection: close", "[gateway][http]") {
  auto read = http::read_requests("GET /fhir/metadata HTTP/1.1\r\nHost: x\r\n\r\n"
                                  "GET /fhir/Patient/1?_format=xml HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"
                                  "DELETE /fhir/Task/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                                  "GET /never HTTP/1.1\r\nHost: x\r\n\r\n",
                                  config::Limits{});
  REQUIRE(read.requests.size() == 3);
  CHECK(read.requests[1].target == "/fhir/Patient/1?_format=xml");
  CHECK(read.requests[1].header("accept") == "*/*");
  CHECK(read.requests[2].method == "DELETE");
  CHECK(!read.failure);
}

TEST_CASE("a chunked body is joined, HTTP/1.0 is read as such", "[gateway][http]") {
  auto read = http::read_requests("POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "3\r\n{\"a\r\n4;x=y\r\n\":1}\r\n0\r\n\r\n"
                                  "GET / HTTP/1.0\r\n\r\n",
                                  config::Limits{});
  REQUIRE(read.requests.size() == 2);
  CHECK(read.requests[0].body == "{\"a\":1}");
  CHECK(read.requests[1].version == 10);
}

TEST_CASE("requests the server cannot read get its answers: 413, 431, 400, a partial one waits", "[gateway][http]") {
  config::Limits limits;
  limits.max_body_bytes = 4;
  limits.max_header_bytes = 64;
  auto large = http::read_requests("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", limits);
  REQUIRE(large.failure);
  CHECK(large.failure->status == 413);
  auto headers =
      http::read_requests("GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + std::string(100, 'a') + "\r\n\r\n", limits);
  REQUIRE(headers.failure);
  CHECK(headers.failure->status == 431);
  auto garbage = http::read_requests("GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", limits);
  REQUIRE(garbage.failure);
  CHECK(garbage.failure->status == 400);
  CHECK(garbage.failure->message.starts_with("malformed HTTP request"));
  auto partial = http::read_requests("GET /fhir/Pat", limits);
  CHECK(partial.requests.empty());
  CHECK(partial.incomplete);
  CHECK(!partial.failure);
}
