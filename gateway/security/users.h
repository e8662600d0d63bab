// The people who sign in to the gateway's pages: staff of a registered organization, each
// with a password kept as a memory-hard hash (scrypt, OpenSSL's EVP_PBE_scrypt) and locked
// for a while after repeated failures. Kept in the store's database (table web_user),
// managed with `carebridge users add|list|disable` and by an organization's administrator.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.h"

namespace carebridge::gateway::store {
class Connection;
}

namespace carebridge::gateway::security {

struct User {
  std::string name;          // what they sign in with
  std::string organization;  // the id of their Organization
  bool admin = false;        // their organization's administrator (its people and subscriptions), not the gateway's
  bool disabled = false;
  int64_t created_ms = 0;
};

// How many failures lock an account, and for how long.
inline constexpr int kFailuresBeforeLock = 5;
inline constexpr int64_t kLockMs = 15 * 60 * 1000;
inline constexpr size_t kMinPasswordLength = 12;

class UserRegistry {
 public:
  // Opens (creating its table in) the database at `path` (the store's carebridge.db).
  explicit UserRegistry(const std::string& database_path);
  ~UserRegistry();

  // Adds a person; refuses a name in use, a name or organization with characters outside
  // [A-Za-z0-9._@-], and a password shorter than kMinPasswordLength.
  Result<void> add(const User& user, std::string_view password);
  std::vector<User> list();
  Result<void> disable(std::string_view name);
  // The person, when the name and password are right, the account is enabled and not
  // locked. Every failure counts alike, for any name (the fifth locks a real account for
  // kLockMs); neither the message nor the work done says whether the name exists.
  Result<User> verify(std::string_view name, std::string_view password, int64_t now_ms);
  // The person as the registry has them now (disabled ones too), or nothing.
  std::optional<User> find(std::string_view name);

 private:
  std::mutex mutex_;
  std::unique_ptr<store::Connection> db_;
};

// The scrypt hash of a password with a salt, as kept (32 bytes), or "" when OpenSSL fails.
std::string scrypt_hash(std::string_view password, std::string_view salt);

}  // namespace carebridge::gateway::security
