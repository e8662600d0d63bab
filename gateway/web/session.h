// Signed-in sessions: a random 256-bit token in an HttpOnly, SameSite=Strict cookie (Secure
// over TLS), kept here only as its SHA-256, with the person it is for, the CSRF token its
// forms carry, and an expiry (8 hours, renewed by use up to that). Also the files a person
// uploaded and is looking at the preview of, until they confirm or the preview expires.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/security/principal.h"
#include "gateway/security/users.h"

namespace carebridge::gateway::web {

struct Session {
  security::User user;
  std::string csrf;  // the token every form of this session carries
  int64_t expires_ms = 0;
  std::shared_ptr<const security::Principal> principal;  // who the person acts as, made once
};

// What a person uploaded (or filled in), checked and waiting for them to confirm.
struct PendingUpload {
  std::string mapping;
  std::vector<std::pair<std::string, std::string>> files;  // name → bytes
  int64_t expires_ms = 0;
};

// A random token of `bytes` bytes, URL-safe base64 (no padding).
std::string random_token(size_t bytes = 32);
// A cookie's value from a Cookie header ("" when absent).
std::string cookie(std::string_view header, std::string_view name);
// The constant-time comparison of two tokens.
bool same_token(std::string_view a, std::string_view b);

class Sessions {
 public:
  static constexpr int64_t kLifetimeMs = 8 * 3600 * 1000;
  static constexpr int64_t kPreviewMs = 30 * 60 * 1000;
  static constexpr size_t kMaxPending = 4;  // previews a session keeps (the oldest goes)
  static constexpr size_t kMaxSessionsPerUser = 5;  // a sixth sign-in ends the oldest
  static constexpr size_t kMaxPendingBytes = 256u << 20;  // every preview's files, all sessions: the oldest go

  // Starts a session for `user`, acting as `principal`; its token (for the cookie).
  std::string start(const security::User& user, std::shared_ptr<security::Principal> principal, int64_t now_ms);
  // The session of a cookie's token, when it is live.
  std::shared_ptr<const Session> find(std::string_view token, int64_t now_ms);
  void end(std::string_view token);
  // Ends every session of a person (their account was disabled).
  void end_all(std::string_view user);

  // Keeps an upload for the session; its id (for the confirm form).
  std::string keep(std::string_view token, PendingUpload upload, int64_t now_ms);
  // Takes (removes) the session's upload with that id, when it has not expired.
  std::shared_ptr<PendingUpload> take(std::string_view token, std::string_view id, int64_t now_ms);

 private:
  struct Entry {
    std::shared_ptr<Session> session;
    std::map<std::string, std::shared_ptr<PendingUpload>> pending;
  };
  void expire(int64_t now_ms);
  void limit_sessions(const std::string& user);
  void limit_pending(size_t adding);
  std::mutex mutex_;
  std::map<std::string, Entry> sessions_;  // SHA-256 of the token → the session
  int64_t next_sweep_ms_ = 0;
};

}  // namespace carebridge::gateway::web
