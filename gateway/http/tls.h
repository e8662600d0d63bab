// The server side of TLS, for every listener (HTTP and MLLP): TLS 1.2+ with forward-secret
// AEAD ciphers, no compression or renegotiation, and mutual TLS when the listener names
// client CAs. Kept out of widely included headers (it brings in Boost.Asio's SSL).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "gateway/config/config.h"

namespace carebridge::gateway::http {

// Throws (at start-up) when the certificate or key cannot be used.
std::shared_ptr<boost::asio::ssl::context> make_server_tls(const config::Listen& listen);

}  // namespace carebridge::gateway::http
