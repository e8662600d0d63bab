#include "gateway/security/users.h"

#include <semaphore>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "fhir/time/fhir_time.h"
#include "gateway/store/sqlite_connection.h"

namespace carebridge::gateway::security {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS web_user(
  name TEXT PRIMARY KEY, organization TEXT NOT NULL, admin INTEGER NOT NULL, disabled INTEGER NOT NULL,
  salt BLOB NOT NULL, hash BLOB NOT NULL, failures INTEGER NOT NULL, locked_until_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS signin_failure(name_key BLOB PRIMARY KEY, failures INTEGER NOT NULL) WITHOUT ROWID;
)";

// A name as the failed sign-ins count it: its SHA-256, so that names people mistype are not
// kept as written.
std::string name_key(std::string_view name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(name.data(), name.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

// scrypt's cost: 2^15 × 128 × 8 bytes = 32 MiB and about 0.1 s per hash.
constexpr uint64_t kN = 1u << 15, kR = 8, kP = 1, kMaxMemory = 64u << 20;

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-' || c == '@';
    if (!ok) return false;
  }
  return true;
}

User user_from(const store::Statement& row) {
  return User{row.text(0), row.text(1), row.int64(2) != 0, row.int64(3) != 0, row.int64(4)};
}

constexpr const char* kColumns = "name, organization, admin, disabled, created_ms";

}  // namespace

std::string scrypt_hash(std::string_view password, std::string_view salt) {
  std::string out(32, '\0');
  int ok = EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                          salt.size(), kN, kR, kP, kMaxMemory, reinterpret_cast<unsigned char*>(out.data()), out.size());
  return ok == 1 ? out : std::string();
}

UserRegistry::UserRegistry(const std::string& database_path)
    : db_(std::make_unique<store::Connection>(database_path, true)) {
  db_->exec(kSchema);
}

UserRegistry::~UserRegistry() = default;

Result<void> UserRegistry::add(const User& user, std::string_view password) {
  if (!valid_name(user.name))
    return Result<void>::failure("invalid", "a user name is 1 to 64 letters, digits, '.', '_', '@' or '-'");
  if (!valid_name(user.organization))
    return Result<void>::failure("invalid", "a user belongs to an organization: its id, 1 to 64 letters, digits, '.', '_' or '-'");
  if (password.size() < kMinPasswordLength)
    return Result<void>::failure("invalid", "a password has at least " + std::to_string(kMinPasswordLength) + " characters");
  std::string salt(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
    return Result<void>::failure("exception", "no random bytes for the salt");
  std::string hash = scrypt_hash(password, salt);
  if (hash.empty()) return Result<void>::failure("exception", "the password could not be hashed");
  std::lock_guard lock(mutex_);
  auto found = db_->prepare("SELECT 1 FROM web_user WHERE name = ?");
  if (found.bind(1, user.name).step()) return Result<void>::failure("duplicate", "a user called " + user.name + " exists");
  auto insert = db_->prepare(
      "INSERT INTO web_user(name, organization, admin, disabled, salt, hash, failures, locked_until_ms, created_ms) "
      "VALUES(?,?,?,0,?,?,0,0,?)");
  insert.bind(1, user.name).bind(2, user.organization).bind(3, int64_t{user.admin});
  insert.bind_blob(4, salt).bind_blob(5, hash).bind(6, fhir::time::now_ms()).run();
  return {};
}

std::vector<User> UserRegistry::list() {
  std::lock_guard lock(mutex_);
  std::vector<User> out;
  auto rows = db_->prepare(std::string("SELECT ") + kColumns + " FROM web_user ORDER BY organization, name");
  while (rows.step()) out.push_back(user_from(rows));
  return out;
}

Result<void> UserRegistry::disable(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto found = db_->prepare("SELECT 1 FROM web_user WHERE name = ?");
  if (!found.bind(1, name).step()) return Result<void>::failure("not-found", "no user called " + std::string(name));
  db_->prepare("UPDATE web_user SET disabled = 1 WHERE name = ?").bind(1, name).run();
  return {};
}

namespace {

// At most a few scrypt hashes at once (32 MiB and a tenth of a second each): a flood of
// sign-ins waits here instead of taking every worker and the memory with it.
std::counting_semaphore<4> hashing(4);

std::string bounded_scrypt(std::string_view password, std::string_view salt) {
  hashing.acquire();
  struct Release {
    ~Release() { hashing.release(); }  // also when hashing throws (out of memory)
  } release;
  return scrypt_hash(password, salt);
}

}  // namespace

Result<User> UserRegistry::verify(std::string_view name, std::string_view password, int64_t now_ms) {
  constexpr const char* kWrong = "the user name or the password is not right";
  std::string salt, hash;
  User user;
  int64_t locked_until = 0;
  bool known = false;
  {
    std::lock_guard lock(mutex_);
    auto row = db_->prepare(std::string("SELECT ") + kColumns + ", salt, hash, locked_until_ms FROM web_user WHERE name = ?");
    if (row.bind(1, name).step()) {
      known = true;
      user = user_from(row);
      salt = std::string(row.blob(5));
      hash = std::string(row.blob(6));
      locked_until = row.int64(7);
    }
  }
  // The same cost whether the name exists, is locked or not: the answer's time says nothing.
  std::string given = bounded_scrypt(password, known ? salt : std::string("no such user, same cost"));
  bool right = known && locked_until <= now_ms && given.size() == hash.size() && !hash.empty() &&
               CRYPTO_memcmp(given.data(), hash.data(), hash.size()) == 0;
  std::lock_guard lock(mutex_);
  if (!right) {
    // Every failure is counted the same way, whether the name exists, is locked or not: a
    // database write only real accounts made told them apart by the answer's time. Counted in
    // the database, so that parallel guesses each count; the fifth starts the count again and,
    // in the same one commit, locks a real account.
    std::string key = name_key(name);
    auto counted = db_->prepare("INSERT INTO signin_failure(name_key, failures) VALUES(?, 1) ON CONFLICT(name_key) "
                                "DO UPDATE SET failures = failures + 1 RETURNING failures");
    int64_t failures = counted.bind_blob(1, key).step() ? counted.int64(0) : 0;
    counted.reset();
    if (failures >= kFailuresBeforeLock) {
      db_->exec("BEGIN");
      db_->prepare("DELETE FROM signin_failure WHERE name_key = ?").bind_blob(1, key).run();
      if (known && locked_until <= now_ms)
        db_->prepare("UPDATE web_user SET locked_until_ms = ? WHERE name = ?").bind(1, now_ms + kLockMs).bind(2, name).run();
      db_->exec("COMMIT");
    }
    return Result<User>::failure("login", kWrong);
  }
  if (user.disabled) return Result<User>::failure("login", kWrong);
  db_->prepare("DELETE FROM signin_failure WHERE name_key = ?").bind_blob(1, name_key(name)).run();
  return user;
}

std::optional<User> UserRegistry::find(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto row = db_->prepare(std::string("SELECT ") + kColumns + " FROM web_user WHERE name = ?");
  if (!row.bind(1, name).step()) return std::nullopt;
  return user_from(row);
}

}  // namespace carebridge::gateway::security
