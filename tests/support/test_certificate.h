// A self-signed certificate made at run time with OpenSSL's API (no `openssl`
// command needed), for tests that serve HTTPS.
#pragma once

#include <filesystem>
#include <string>

namespace carebridge::testing {

struct TestCertificate {
  std::string certificate_file;  // PEM; also the CA file a verifying client trusts
  std::string private_key_file;  // PEM, unencrypted
};

// An RSA 2048 certificate for localhost and 127.0.0.1, valid for a day, written into `dir`.
TestCertificate make_test_certificate(const std::filesystem::path& dir);

// A CA (ca.pem), a server certificate for 127.0.0.1 (server.pem, server.key) and two client
// certificates the CA signs (hospital.pem/.key, stranger.pem/.key) in `dir`, made with the
// openssl command; false when it is not available.
bool make_mutual_tls_files(const std::filesystem::path& dir);

}  // namespace carebridge::testing
