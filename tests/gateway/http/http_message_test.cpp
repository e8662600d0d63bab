// The HTTP/1.1 bytes of a response, as a client parses them.
#include <catch2/catch.hpp>

#include "gateway/http/message.h"

using carebridge::gateway::http::Response;
using carebridge::gateway::http::serialize;

TEST_CASE("a response is written as an HTTP/1.1 message with its length", "[gateway][http]") {
  Response r;
  r.status = 201;
  r.set_header("Location", "http://x/fhir/Patient/1/_history/1");
  r.body = R"({"resourceType":"Patient"})";
  std::string bytes = serialize(r, true, false);
  CHECK(bytes.starts_with("HTTP/1.1 201 Created\r\n"));
  CHECK(bytes.find("\r\nLocation: http://x/fhir/Patient/1/_history/1\r\n") != std::string::npos);
  CHECK(bytes.find("\r\nContent-Length: 26\r\n") != std::string::npos);
  CHECK(bytes.find("\r\nDate: ") != std::string::npos);
  CHECK(bytes.find("Connection") == std::string::npos);
  CHECK(bytes.ends_with("\r\n\r\n" + r.body));
}

TEST_CASE("HEAD keeps the length without the body and 204 and 304 carry neither", "[gateway][http]") {
  Response r;
  r.body = "abc";
  std::string head = serialize(r, false, true);
  CHECK(head.find("\r\nContent-Length: 3\r\n") != std::string::npos);
  CHECK(head.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(head.ends_with("\r\n\r\n"));
  for (unsigned status : {204u, 304u}) {
    r.status = status;
    std::string bytes = serialize(r, true, false);
    CHECK(bytes.find("Content-Length") == std::string::npos);
    CHECK(bytes.ends_with("\r\n\r\n"));
  }
}

TEST_CASE("line breaks in a header value cannot start a new header", "[gateway][http]") {
  Response r;
  r.set_header("Location", "http://x/a\r\nSet-Cookie: evil=1");
  std::string bytes = serialize(r, true, false);
  CHECK(bytes.find("\r\nSet-Cookie") == std::string::npos);
  CHECK(bytes.find("Location: http://x/aSet-Cookie: evil=1\r\n") != std::string::npos);
}

TEST_CASE("HTTP dates are read in their three forms", "[gateway][http]") {
  using carebridge::gateway::http::parse_http_date;
  CHECK(parse_http_date("Tue, 05 Mar 2024 07:08:09 GMT") == 1709622489000);
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777000);
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == 784111777000);
  CHECK(parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT") == 1709164800000);
  CHECK(!parse_http_date("yesterday"));
  CHECK(!parse_http_date("Tue, 05 Mar 2024 07:08:09 GMT trailing"));
  CHECK(!parse_http_date("Tue, 05 Foo 2024 07:08:09 GMT"));
}
