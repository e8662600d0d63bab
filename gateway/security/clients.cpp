#include "gateway/security/clients.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fhir/time/fhir_time.h"
#include "gateway/http/certificate.h"
#include "gateway/security/scopes.h"
#include "gateway/store/sqlite_connection.h"

namespace carebridge::gateway::security {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS auth_client(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, organization TEXT NOT NULL, jwks TEXT NOT NULL,
  scopes TEXT NOT NULL, patient TEXT NOT NULL, admin INTEGER NOT NULL, revoked INTEGER NOT NULL,
  created_ms INTEGER NOT NULL, certificate TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS auth_client_certificate ON auth_client(certificate);
CREATE TABLE IF NOT EXISTS auth_assertion(
  client TEXT NOT NULL, jti TEXT NOT NULL, expires_ms INTEGER NOT NULL, PRIMARY KEY(client, jti));
CREATE INDEX IF NOT EXISTS auth_assertion_expiry ON auth_assertion(expires_ms);
)";

constexpr int64_t kCacheMs = 5000;

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

Client client_from(const store::Statement& row) {
  Client c;
  c.id = row.text(0);
  c.name = row.text(1);
  c.organization = row.text(2);
  c.jwks = row.text(3);
  c.scopes = row.text(4);
  c.patient = row.text(5);
  c.admin = row.int64(6) != 0;
  c.revoked = row.int64(7) != 0;
  c.created_ms = row.int64(8);
  c.certificate = row.text(9);
  return c;
}

constexpr const char* kColumns = "id, name, organization, jwks, scopes, patient, admin, revoked, created_ms, certificate";

}  // namespace

Result<std::string> certificate_fingerprint(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr, X509_free);
  std::string sha256 = http::certificate_sha256(certificate.get());
  if (sha256.empty()) return Result<std::string>::failure("invalid", "not a PEM certificate");
  return sha256;
}

ClientRegistry::ClientRegistry(const std::string& database_path)
    : db_(std::make_unique<store::Connection>(database_path, true)) {
  db_->exec(kSchema);
}

ClientRegistry::~ClientRegistry() = default;

Result<void> ClientRegistry::add(const Client& client) {
  if (!valid_id(client.id))
    return Result<void>::failure("invalid", "a client id is 1 to 64 letters, digits, '.', '_' or '-'");
  if (!client.organization.empty() && !valid_id(client.organization))
    return Result<void>::failure("invalid", "an organization id is 1 to 64 letters, digits, '.', '_' or '-'");
  std::vector<Jwk> keys;
  if (!client.jwks.empty() || client.certificate.empty()) {  // a client with a certificate alone needs no keys
    auto parsed = parse_jwks(client.jwks);
    if (!parsed) return Result<void>::failure("invalid", "the client's keys: " + parsed.issues().front().message);
    keys = std::move(*parsed);
  }
  auto scopes = parse_scopes(client.scopes);
  if (!scopes) return Result<void>::failure("invalid", "the client's scopes: " + scopes.issues().front().message);
  std::lock_guard lock(mutex_);
  if (find(client.id)) return Result<void>::failure("duplicate", "a client with id " + client.id + " exists");
  std::string public_keys = keys.empty() ? std::string() : public_jwks_json(keys);
  auto insert = db_->prepare(std::string("INSERT INTO auth_client(") + kColumns + ") VALUES(?,?,?,?,?,?,?,0,?,?)");
  insert.bind(1, client.id).bind(2, client.name).bind(3, client.organization).bind(4, public_keys);
  insert.bind(5, client.scopes).bind(6, client.patient).bind(7, int64_t{client.admin});
  insert.bind(8, client.created_ms ? client.created_ms : fhir::time::now_ms()).bind(9, client.certificate);
  insert.run();
  cache_.erase(client.id);
  return {};
}

std::vector<Client> ClientRegistry::list() {
  std::lock_guard lock(mutex_);
  std::vector<Client> out;
  auto rows = db_->prepare(std::string("SELECT ") + kColumns + " FROM auth_client ORDER BY id");
  while (rows.step()) out.push_back(client_from(rows));
  return out;
}

Result<void> ClientRegistry::revoke(std::string_view id) {
  std::lock_guard lock(mutex_);
  if (!find(id)) return Result<void>::failure("not-found", "no client with id " + std::string(id));
  db_->prepare("UPDATE auth_client SET revoked = 1 WHERE id = ?").bind(1, id).run();
  cache_.erase(std::string(id));
  return {};
}

std::optional<Client> ClientRegistry::find(std::string_view id) {
  auto row = db_->prepare(std::string("SELECT ") + kColumns + " FROM auth_client WHERE id = ?");
  row.bind(1, id);
  if (!row.step()) return std::nullopt;
  return client_from(row);
}

std::shared_ptr<const Client> ClientRegistry::active(std::string_view id) {
  int64_t now = fhir::time::now_ms();
  std::lock_guard lock(mutex_);
  auto it = cache_.find(std::string(id));
  if (it != cache_.end() && now - it->second.read_ms < kCacheMs) return it->second.client;
  if (cache_.size() > 10000) cache_.clear();  // ids come from tokens: bound what unknown ones cost
  Cached entry;
  entry.read_ms = now;
  if (auto client = find(id); client && !client->revoked) {
    auto keys = parse_jwks(client->jwks);
    if (keys) entry.keys = std::move(*keys);
    entry.client = std::make_shared<const Client>(std::move(*client));
  }
  auto client = entry.client;
  cache_[std::string(id)] = std::move(entry);
  return client;
}

std::shared_ptr<const Client> ClientRegistry::by_certificate(std::string_view sha256) {
  if (sha256.empty()) return nullptr;
  std::string id;
  {
    std::lock_guard lock(mutex_);
    auto row = db_->prepare("SELECT id FROM auth_client WHERE certificate = ? AND revoked = 0");
    row.bind(1, sha256);
    if (!row.step()) return nullptr;
    id = row.text(0);
  }
  return active(id);
}

std::vector<Jwk> ClientRegistry::keys(const Client& client) {
  if (!active(client.id)) return {};
  std::lock_guard lock(mutex_);
  auto it = cache_.find(client.id);
  return it == cache_.end() ? std::vector<Jwk>{} : it->second.keys;
}

Result<void> ClientRegistry::remember_assertion(std::string_view client_id, std::string_view jti, int64_t expires_ms,
                                                int64_t now_ms) {
  std::lock_guard lock(mutex_);
  db_->prepare("DELETE FROM auth_assertion WHERE expires_ms < ?").bind(1, now_ms).run();
  auto insert = db_->prepare("INSERT OR IGNORE INTO auth_assertion(client, jti, expires_ms) VALUES(?,?,?)");
  insert.bind(1, client_id).bind(2, jti).bind(3, expires_ms).run();
  if (sqlite3_changes(db_->handle()) == 0)
    return Result<void>::failure("invalid", "this client assertion (its jti) was used before");
  return {};
}

}  // namespace carebridge::gateway::security
