#include "gateway/web/session.h"

#include <algorithm>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace carebridge::gateway::web {
namespace {

std::string sha256(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

}  // namespace

std::string random_token(size_t bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1)
    throw std::runtime_error("no random bytes");
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      out += kAlphabet[(buffer >> (bits - 6)) & 63];
      bits -= 6;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

std::string cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semicolon = header.find(';');
    std::string_view item = header.substr(0, semicolon);
    header = semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return std::string(item.substr(eq + 1));
  }
  return {};
}

bool same_token(std::string_view a, std::string_view b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Sessions::start(const security::User& user, std::shared_ptr<security::Principal> principal, int64_t now_ms) {
  std::string token = random_token();
  principal->expires_ms = now_ms + kLifetimeMs;
  auto session = std::make_shared<Session>(Session{user, random_token(), now_ms + kLifetimeMs, std::move(principal)});
  std::lock_guard lock(mutex_);
  expire(now_ms);
  limit_sessions(user.name);
  sessions_[sha256(token)] = Entry{std::move(session), {}};
  return token;
}

std::shared_ptr<const Session> Sessions::find(std::string_view token, int64_t now_ms) {
  if (token.empty()) return nullptr;
  std::lock_guard lock(mutex_);
  expire(now_ms);
  auto it = sessions_.find(sha256(token));
  if (it == sessions_.end() || it->second.session->expires_ms <= now_ms) return nullptr;
  return it->second.session;
}

void Sessions::end(std::string_view token) {
  std::lock_guard lock(mutex_);
  sessions_.erase(sha256(token));
}

void Sessions::end_all(std::string_view user) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& s) { return s.second.session->user.name == user; });
}

std::string Sessions::keep(std::string_view token, PendingUpload upload, int64_t now_ms) {
  std::string id = random_token(16);
  upload.expires_ms = now_ms + kPreviewMs;
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(sha256(token));
  if (it == sessions_.end()) return {};
  auto& pending = it->second.pending;
  std::erase_if(pending, [&](const auto& p) { return p.second->expires_ms <= now_ms; });
  while (pending.size() >= kMaxPending) {
    auto oldest = std::min_element(pending.begin(), pending.end(),
                                   [](const auto& a, const auto& b) { return a.second->expires_ms < b.second->expires_ms; });
    pending.erase(oldest);
  }
  size_t bytes = 0;
  for (const auto& [name, content] : upload.files) bytes += name.size() + content.size();
  limit_pending(bytes);
  pending[id] = std::make_shared<PendingUpload>(std::move(upload));
  return id;
}

std::shared_ptr<PendingUpload> Sessions::take(std::string_view token, std::string_view id, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(sha256(token));
  if (it == sessions_.end()) return nullptr;
  auto found = it->second.pending.find(std::string(id));
  if (found == it->second.pending.end()) return nullptr;
  auto upload = std::move(found->second);
  it->second.pending.erase(found);
  return upload->expires_ms > now_ms ? upload : nullptr;
}

void Sessions::limit_sessions(const std::string& user) {
  std::vector<std::map<std::string, Entry>::iterator> theirs;
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
    if (it->second.session->user.name == user) theirs.push_back(it);
  if (theirs.size() < kMaxSessionsPerUser) return;
  auto oldest = *std::min_element(theirs.begin(), theirs.end(), [](const auto& a, const auto& b) {
    return a->second.session->expires_ms < b->second.session->expires_ms;
  });
  sessions_.erase(oldest);
}

// Makes room for `adding` bytes of previews: the oldest previews of any session go first.
void Sessions::limit_pending(size_t adding) {
  while (true) {
    size_t total = adding;
    std::map<std::string, std::shared_ptr<PendingUpload>>* owner = nullptr;
    std::map<std::string, std::shared_ptr<PendingUpload>>::iterator oldest;
    for (auto& [key, entry] : sessions_)
      for (auto it = entry.pending.begin(); it != entry.pending.end(); ++it) {
        for (const auto& [name, content] : it->second->files) total += name.size() + content.size();
        if (!owner || it->second->expires_ms < oldest->second->expires_ms) owner = &entry.pending, oldest = it;
      }
    if (total <= kMaxPendingBytes || !owner) return;
    owner->erase(oldest);
  }
}

void Sessions::expire(int64_t now_ms) {
  if (now_ms < next_sweep_ms_) return;
  next_sweep_ms_ = now_ms + 60 * 1000;
  std::erase_if(sessions_, [&](const auto& s) { return s.second.session->expires_ms <= now_ms; });
}

}  // namespace carebridge::gateway::web
