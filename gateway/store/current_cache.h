// The current versions most recently read, kept in memory so that a read by id does not
// open a SQLite read transaction (two file locks and a walk of the WAL index each): reads
// by id were a fifth of the server's time under a read load. The writer thread forgets
// each resource it writes as soon as the transaction has ended, before any client hears
// of the commit, so a read after a write sees the write. A reader that misses stores what
// it read only if no write of that resource ended meanwhile (each shard counts them),
// so a version read before a commit is never kept after it.
//
// Bounded by bytes: each shard forgets its oldest entries beyond its share of the budget.
// The store's writer is the only one that writes resources (serve holds the data
// directory), which is what makes forgetting on write enough.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/store/store.h"

namespace carebridge::gateway::store {

class CurrentCache {
 public:
  explicit CurrentCache(size_t max_bytes) : shard_bytes_(max_bytes / kShards) {}

  // What a reader needs to ask later whether its read may be kept (see keep).
  struct Ticket {
    size_t shard = 0;
    uint64_t writes = 0;
  };

  // The cached current version of `type`/`id`; on a miss, the ticket to keep what the
  // reader then reads.
  std::optional<ResourceRecord> find(std::string_view type, std::string_view id, Ticket& ticket);
  // Keeps `record` (as read after `ticket` was given) unless a write of a resource of
  // its shard ended since.
  void keep(const ResourceRecord& record, const Ticket& ticket);
  // The writer: these resources were written (or a transaction writing them rolled back).
  void forget(const std::vector<std::string>& keys);

  static std::string key(std::string_view type, std::string_view id);

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<const ResourceRecord>> records;
    std::deque<std::string> order;  // keys in the order kept, oldest first (may name forgotten ones)
    size_t bytes = 0;
    uint64_t writes = 0;  // writes of this shard's resources ended so far
  };
  static size_t shard_of(std::string_view key);
  static size_t size_of(const ResourceRecord& r);
  void trim(Shard& shard);

  size_t shard_bytes_;
  std::array<Shard, kShards> shards_;
};

}  // namespace carebridge::gateway::store
