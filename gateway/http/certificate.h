// A TLS certificate's identity as mutual TLS uses it: the SHA-256 of its DER encoding.
#pragma once

#include <string>

struct x509_st;  // OpenSSL's X509, so that this header needs no OpenSSL header

namespace carebridge::gateway::http {

// The SHA-256 of the certificate (lowercase hex); empty for none.
std::string certificate_sha256(const x509_st* certificate);

}  // namespace carebridge::gateway::http
