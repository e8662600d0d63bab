// Beast's request parser as the server sets it up (beast_request.h), and reading
// requests from memory with it (request_reader.h).
#include "gateway/http/request_reader.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <limits>

#include "gateway/http/beast_request.h"

namespace carebridge::gateway::http {

namespace bhttp = boost::beast::http;

void apply_limits(RequestParser& parser, const config::Limits& limits) {
  parser.body_limit(limits.max_body_bytes);
  size_t header_limit = std::min<size_t>(limits.max_header_bytes, std::numeric_limits<uint32_t>::max());
  parser.header_limit(static_cast<uint32_t>(header_limit));
}

ReadFailure read_failure(const boost::system::error_code& error, const config::Limits& limits) {
  if (error == bhttp::error::body_limit)
    return {413, "the request body is larger than the limit of " + std::to_string(limits.max_body_bytes) + " bytes"};
  if (error == bhttp::error::header_limit) return {431, "the request headers are larger than the limit"};
  return {400, "malformed HTTP request: " + error.message()};
}

Request to_request(RequestParser::value_type& message) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.version = message.version();
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

namespace {

// Feeds `bytes` to the parser until it has a whole message, needs more than there
// is, or fails; consumed bytes are removed from the front of `bytes`.
boost::system::error_code feed(RequestParser& parser, std::string_view& bytes) {
  boost::system::error_code error;
  while (!parser.is_done() && !bytes.empty()) {
    size_t used = parser.put(boost::asio::const_buffer(bytes.data(), bytes.size()), error);
    bytes.remove_prefix(used);
    if (error == bhttp::error::need_more) {
      error = {};
      if (used == 0) break;  // an incomplete header: the server would wait for more
      continue;
    }
    if (error) break;
  }
  return error;
}

}  // namespace

ReadRequests read_requests(std::string_view bytes, const config::Limits& limits) {
  ReadRequests out;
  while (!bytes.empty()) {
    RequestParser parser;
    apply_limits(parser, limits);
    parser.eager(true);
    if (auto error = feed(parser, bytes)) {
      out.failure = read_failure(error, limits);
      return out;
    }
    if (!parser.is_done()) {
      out.incomplete = true;
      return out;
    }
    bool keep_alive = parser.get().keep_alive();
    out.requests.push_back(to_request(parser.get()));
    if (!keep_alive) break;  // the server closes after answering it
  }
  return out;
}

}  // namespace carebridge::gateway::http
