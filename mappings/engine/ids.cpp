#include "mappings/engine/ids.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <memory>

namespace carebridge::mappings::engine {

namespace {

// SHA-256 with the algorithm fetched once and one digest context per thread: SHA256()
// fetches and makes both on every call, several times the cost of hashing a short name.
void sha256(std::string_view text, unsigned char* digest) {
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);  // kept for the process
  thread_local std::unique_ptr<EVP_MD_CTX, Free> context(EVP_MD_CTX_new());
  bool done = algorithm && context && EVP_DigestInit_ex2(context.get(), algorithm, nullptr) == 1 &&
              EVP_DigestUpdate(context.get(), text.data(), text.size()) == 1 &&
              EVP_DigestFinal_ex(context.get(), digest, nullptr) == 1;
  if (!done) SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
}

}  // namespace

std::string name_uuid(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  sha256(text, digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x80);  // version 8
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);  // the RFC's variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

namespace {

// ASCII letters and digits (std::isalnum asks the locale, for every character).
bool ascii_alnum(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

std::string escaped_and_encoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c == ',' || c == '|' || c == '$' || c == '\\') out += "%5C";  // FHIR search's escape, percent-encoded
    if (ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || c == '/') {
      out += static_cast<char>(c);
    } else {
      char encoded[] = {'%', kHex[c >> 4], kHex[c & 15]};
      out.append(encoded, 3);
    }
  }
  return out;
}

}  // namespace

std::string token_criteria(std::string_view system, std::string_view value) {
  return (system.empty() ? std::string() : escaped_and_encoded(system) + "%7C") + escaped_and_encoded(value);
}

}  // namespace carebridge::mappings::engine
