// The server's TLS settings, proven by handshakes from raw OpenSSL clients: TLS 1.1
// and 1.2 ciphers without forward secrecy or AEAD are refused by the server (the
// clients offer them at security level 0, so the refusal is not their own), ECDHE
// with GCM on TLS 1.2 and TLS 1.3 succeed; client renegotiation is refused.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <catch2/catch.hpp>
#include <memory>

#include "running_server.h"
#include "support/test_certificate.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using namespace carebridge::gateway;

namespace {

struct Handshake {
  bool ok = false;
  std::string version, cipher;
  std::string error;  // OpenSSL's reason when it failed ("tlsv1 alert protocol version")
  bool renegotiated = false;
};

struct Connection {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context{SSL_CTX_new(TLS_client_method()), SSL_CTX_free};
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl{nullptr, SSL_free};
  int fd = -1;
  ~Connection() {
    ssl.reset();
    if (fd >= 0) ::close(fd);
  }
};

std::string last_error() {
  char text[256] = "";
  unsigned long code = 0, last = 0;
  while ((code = ERR_get_error()) != 0) last = code;
  if (last) ERR_error_string_n(last, text, sizeof text);
  return text;
}

// A handshake offering only protocol versions [min, max] and these ciphers.
Handshake handshake(uint16_t port, int min_version, int max_version, const char* ciphers, bool renegotiate = false) {
  Connection c;
  SSL_CTX_set_min_proto_version(c.context.get(), min_version);
  SSL_CTX_set_max_proto_version(c.context.get(), max_version);
  SSL_CTX_set_verify(c.context.get(), SSL_VERIFY_NONE, nullptr);
  if (ciphers) REQUIRE(SSL_CTX_set_cipher_list(c.context.get(), ciphers) == 1);
  c.fd = connect_loopback(port);
  c.ssl.reset(SSL_new(c.context.get()));
  SSL_set_fd(c.ssl.get(), c.fd);
  ERR_clear_error();
  Handshake h;
  h.ok = SSL_connect(c.ssl.get()) == 1;
  if (!h.ok) {
    h.error = last_error();
    return h;
  }
  h.version = SSL_get_version(c.ssl.get());
  h.cipher = SSL_get_cipher_name(c.ssl.get());
  if (renegotiate) h.renegotiated = SSL_renegotiate(c.ssl.get()) == 1 && SSL_do_handshake(c.ssl.get()) == 1;
  ERR_clear_error();
  return h;
}

http::Handler hello() {
  return http::answer_at_once([](const http::Request&) { return http::Response{200, {}, "hello"}; });
}

}  // namespace

TEST_CASE("TLS: 1.1 and weak 1.2 ciphers are refused by the server, ECDHE-GCM and 1.3 succeed",
          "[gateway][http][tls]") {
  auto certificate = make_test_certificate(temp_dir("tls-settings"));
  RunningServer server(loopback_options(certificate.certificate_file, certificate.private_key_file), hello());

  for (int version : {TLS1_1_VERSION, TLS1_VERSION}) {  // a client that speaks only TLS 1.1, or only 1.0
    INFO(version);
    auto old = handshake(server.port(), version, version, "ALL:@SECLEVEL=0");
    CHECK(!old.ok);
    CHECK_THAT(old.error, Catch::Contains("alert protocol version"));  // the server's alert
  }

  for (const char* weak : {"AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384",
                           "DHE-RSA-AES128-GCM-SHA256"}) {
    INFO(weak);
    std::string offered = std::string(weak) + ":@SECLEVEL=0";
    auto refused = handshake(server.port(), TLS1_2_VERSION, TLS1_2_VERSION, offered.c_str());
    CHECK(!refused.ok);
    CHECK_THAT(refused.error, Catch::Contains("alert handshake failure"));  // the server's alert
  }

  auto modern = handshake(server.port(), TLS1_2_VERSION, TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256");
  CHECK(modern.ok);
  CHECK(modern.version == "TLSv1.2");
  CHECK(modern.cipher == "ECDHE-RSA-AES128-GCM-SHA256");

  // The server's order wins over the client's: it prefers AES-128-GCM to CHACHA20.
  auto ordered = handshake(server.port(), TLS1_2_VERSION, TLS1_2_VERSION,
                           "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256");
  CHECK(ordered.cipher == "ECDHE-RSA-AES128-GCM-SHA256");

  auto tls13 = handshake(server.port(), TLS1_3_VERSION, TLS1_3_VERSION, nullptr);
  CHECK(tls13.ok);
  CHECK(tls13.version == "TLSv1.3");
}

TEST_CASE("TLS: a client cannot renegotiate", "[gateway][http][tls]") {
  auto certificate = make_test_certificate(temp_dir("tls-renegotiation"));
  RunningServer server(loopback_options(certificate.certificate_file, certificate.private_key_file), hello());
  auto h = handshake(server.port(), TLS1_2_VERSION, TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256", true);
  REQUIRE(h.ok);
  CHECK(!h.renegotiated);
}
