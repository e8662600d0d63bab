// How the server reads a request with Boost.Beast: the parser with the configured
// limits, what a read error is answered with, and the parsed message as a plain
// Request. Private to gateway/http (server.cpp and request_reader.cpp): every
// other header shows plain types only.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include "gateway/config/config.h"
#include "gateway/http/message.h"
#include "gateway/http/request_reader.h"

namespace carebridge::gateway::http {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Sets the header and body limits on a fresh parser (one parser per request).
void apply_limits(RequestParser& parser, const config::Limits& limits);

// The status (413, 431, 400) and plain words the server answers a read error with.
ReadFailure read_failure(const boost::system::error_code& error, const config::Limits& limits);

// The parsed message as a Request; the body is moved out. The caller sets remote and tls.
Request to_request(RequestParser::value_type& message);

}  // namespace carebridge::gateway::http
