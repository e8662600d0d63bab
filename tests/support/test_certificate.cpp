// Self-signed test certificates with OpenSSL 3's API (see test_certificate.h).
#include "support/test_certificate.h"

#include <cstdlib>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>

namespace carebridge::testing {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509_free>>;
struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

void add_extension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (!extension || X509_add_ext(certificate, extension, -1) != 1) {
    throw std::runtime_error("cannot add a certificate extension");
  }
  X509_EXTENSION_free(extension);
}

void write_pem(const std::string& path, const std::function<int(FILE*)>& write) {
  std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file || write(file.get()) != 1) throw std::runtime_error("cannot write " + path);
}

}  // namespace

TestCertificate make_test_certificate(const std::filesystem::path& dir) {
  Key key(EVP_RSA_gen(2048));
  Certificate certificate(X509_new());
  if (!key || !certificate) throw std::runtime_error("cannot make a key or certificate");
  X509* c = certificate.get();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
  X509_gmtime_adj(X509_getm_notBefore(c), -60);
  X509_gmtime_adj(X509_getm_notAfter(c), 24 * 3600);
  X509_set_pubkey(c, key.get());
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(c, name);
  add_extension(c, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  add_extension(c, NID_basic_constraints, "critical,CA:TRUE");
  if (X509_sign(c, key.get(), EVP_sha256()) == 0) throw std::runtime_error("cannot sign the certificate");
  TestCertificate out{(dir / "cert.pem").string(), (dir / "key.pem").string()};
  write_pem(out.certificate_file, [&](FILE* f) { return PEM_write_X509(f, c); });
  write_pem(out.private_key_file,
            [&](FILE* f) { return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
  return out;
}

bool make_mutual_tls_files(const std::filesystem::path& dir) {
  std::string commands =
      "cd '" + dir.string() + "' && "
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=ca -keyout ca.key -out ca.pem && "
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 "
      "-keyout server.key -out server.pem && "
      "for c in hospital stranger; do openssl req -newkey rsa:2048 -nodes -subj /CN=$c -keyout $c.key -out $c.csr && "
      "openssl x509 -req -in $c.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -out $c.pem; done";
  return std::system(("(" + commands + ") >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace carebridge::testing
