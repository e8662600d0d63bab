#include "gateway/routing/delivery.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <rapidjson/document.h>
#include <thread>

#include "fhir/io/format.h"
#include "fhir/time/fhir_time.h"
#include "gateway/http/client.h"
#include "gateway/rest/negotiation.h"
#include "gateway/security/access_policy.h"
#include "gateway/routing/notification.h"
#include "gateway/routing/v2_channel.h"
#include "gateway/routing/worker_pool.h"

namespace carebridge::gateway::routing {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Endpoint {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  std::string target;  // path and query
};

std::optional<Endpoint> parse_endpoint(const std::string& url) {
  Endpoint e;
  std::string_view rest = url;
  if (rest.starts_with("https://")) e.tls = true, rest.remove_prefix(8);
  else if (rest.starts_with("http://")) rest.remove_prefix(7);
  else return std::nullopt;
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  e.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  size_t colon = authority.rfind(':'), bracket = authority.find(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    e.port = static_cast<uint16_t>(std::atoi(std::string(authority.substr(colon + 1)).c_str()));
    authority = authority.substr(0, colon);
  }
  if (authority.starts_with('[') && authority.ends_with(']')) authority = authority.substr(1, authority.size() - 2);
  e.host = std::string(authority);
  if (!e.port) e.port = e.tls ? 443 : 80;
  if (e.host.empty()) return std::nullopt;
  return e;
}

// Loopback by name or by a literal address: "localhost", ::1, 127.0.0.0/8. A host *name*
// that merely starts with "127." (127.internal.example) is not loopback.
bool loopback(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return host == "localhost" || host == "::1";
}

bool private_v4(uint32_t ip) {
  return (ip >> 24) == 10 || (ip >> 24) == 127 || (ip >> 20) == 0xAC1 || (ip >> 16) == 0xC0A8 || (ip >> 16) == 0xA9FE ||
         (ip >> 24) == 0 || (ip >> 22) == (100u << 2 | 1) || (ip >> 28) >= 0xE;  // multicast and reserved too
}

// Whether an address is private, link-local or otherwise not the public internet. An IPv6
// address that carries an IPv4 one (::ffff:169.254.169.254, ::a.b.c.d, 64:ff9b::a.b.c.d)
// is judged by the IPv4 address it reaches.
bool private_address(const sockaddr* address) {
  if (address->sa_family == AF_INET) return private_v4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  if (address->sa_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr.s6_addr;
    bool zeros = true;
    for (int i = 0; i < 10; ++i) zeros = zeros && a[i] == 0;
    bool mapped = zeros && a[10] == 0xff && a[11] == 0xff;
    bool compatible = zeros && a[10] == 0 && a[11] == 0;  // ::a.b.c.d, ::1 and :: among them
    bool nat64 = a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b;
    if (mapped || compatible || nat64) {
      uint32_t ip = uint32_t(a[12]) << 24 | uint32_t(a[13]) << 16 | uint32_t(a[14]) << 8 | a[15];
      return compatible || private_v4(ip);
    }
    return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || (a[0] & 0xfe) == 0xfc || a[0] == 0xff;  // link-local, ULA, multicast
  }
  return true;
}

// Why the gateway will not send to this endpoint, or "" when it will.
std::string refused_endpoint(const Endpoint& e, const std::vector<std::string>& allowed, bool loopback_open) {
  bool listed = std::find(allowed.begin(), allowed.end(), e.host) != allowed.end();
  if (listed || (loopback(e.host) && loopback_open)) return {};
  if (loopback(e.host))
    return "the endpoint is on the gateway's own machine (loopback): with tokens required, only a host listed in "
           "routing.allowed_hosts may be";
  if (!e.tls) return "the endpoint must be https (http only on loopback or for allow-listed hosts)";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(e.host.c_str(), nullptr, &hints, &found) != 0) return "the endpoint's host name does not resolve";
  bool internal = false;
  for (addrinfo* a = found; a; a = a->ai_next) internal = internal || private_address(a->ai_addr);
  freeaddrinfo(found);
  return internal ? "the endpoint resolves to a private or link-local address that is not allow-listed" : std::string();
}

// A notification as its channel's payload MIME type asks (the Backport IG, channels: "The
// content-type of the POST SHALL match the MIME type on the Subscription"): FHIR XML when it
// names XML, with that type; else the JSON made, as application/fhir+json when none is named.
std::pair<std::string, std::string> encoded(const Subscription& s, const std::string& json,
                                            const fhir::definitions::Definitions* definitions) {
  std::string type = s.content_type.empty() ? "application/fhir+json" : s.content_type;
  fhir::io::Format format = rest::media_format(type);
  // _format's shorthands ("xml", "json") are accepted as the payload: sent as the MIME type they stand for.
  if (type.find('/') == std::string::npos) type = std::string(rest::media_type(format));
  if (format != fhir::io::Format::Xml) return {json, type};
  auto parsed = definitions ? fhir::io::read(json, *definitions) : fhir::model::ParseResult{};
  if (!parsed.document) return {json, "application/fhir+json"};
  std::string xml;
  std::vector<fhir::model::Issue> issues;
  fhir::io::write(*parsed.document->root(), fhir::io::Format::Xml, xml, issues, false);
  return {std::move(xml), type};
}

}  // namespace

std::string endpoint_refusal(const std::string& url, const std::vector<std::string>& allowed_hosts, bool loopback_open) {
  auto endpoint = parse_endpoint(url);
  if (!endpoint) return "the endpoint is not an http or https URL";
  return refused_endpoint(*endpoint, allowed_hosts, loopback_open);
}

std::string signature(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), mac, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

struct Delivery::Impl : std::enable_shared_from_this<Delivery::Impl> {
  struct Runtime {
    DeliveryState state;
    bool busy = false;
    bool dirty = true;
    uint64_t generation = 0;          // wakes so far (an event committed, a subscription changed)
    uint64_t attempt_generation = 0;  // the wakes an attempt under way has seen
    uint64_t rewinds = 0;             // $resend calls so far: an attempt under way must not undo one
    // The lowest cursor a $resend asked for while the attempt under way was sending (what it
    // sent is delivered: only what the $resend asked for goes again).
    int64_t rewound_to = std::numeric_limits<int64_t>::max();
    Clock::time_point next_attempt{};
    Clock::time_point last_sent = Clock::now();
    Clock::time_point first_failure{};
    std::unique_ptr<http::Client> client;
    std::string client_for;  // the endpoint the client is connected to
    std::string overflow;    // why the status must become error (a full backlog), once
    int64_t saved_delivered = 0;       // the delivered cursor as kept on disk
    Clock::time_point saved_at{};
  };

  // The delivered cursor is kept on disk at most this often per subscription (and at
  // stop): a crash sends at most that much again (at least once), never less.
  static constexpr auto kSaveEvery = std::chrono::seconds(1);

  Impl(store::Store& s, SubscriptionEvents& e, DeliveryOptions o) : store(s), events(e), options(std::move(o)) {}

  store::Store& store;
  SubscriptionEvents& events;
  DeliveryOptions options;
  mutable std::mutex mutex;
  std::condition_variable wakeup;
  std::map<std::string, Runtime> runtimes;
  bool stopping = false;
  std::thread scheduler;
  std::unique_ptr<WorkerPool> pool;
  std::mt19937_64 random{std::random_device{}()};

  std::string base_url() const {
    std::lock_guard lock(mutex);
    return options.base_url;
  }

  fs::path state_file(const std::string& id) const { return fs::path(options.state_dir) / (id + ".json"); }

  void load_state(const std::string& id, DeliveryState& state) {
    std::ifstream in(state_file(id));
    std::string text((std::istreambuf_iterator<char>(in)), {});
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    if (!doc.IsObject()) return;
    if (doc.HasMember("started") && doc["started"].IsInt64()) state.started = doc["started"].GetInt64();
    if (doc.HasMember("delivered") && doc["delivered"].IsInt64()) state.delivered = doc["delivered"].GetInt64();
    state.handshake = doc.HasMember("handshake") && doc["handshake"].IsTrue();
  }

  void save_state(const std::string& id, const DeliveryState& state) {
    std::error_code ec;
    fs::create_directories(options.state_dir, ec);
    fs::path file = state_file(id), temporary = file;
    temporary += ".tmp";
    {
      std::ofstream out(temporary, std::ios::trunc);
      out << "{\"started\":" << state.started << ",\"delivered\":" << state.delivered << ",\"handshake\":" << (state.handshake ? "true" : "false") << "}\n";
    }
    fs::rename(temporary, file, ec);
  }

  // Keeps on disk the cursors of idle subscriptions not kept for kSaveEvery (every cursor
  // when `all`); called with `lock` held, which it releases while writing.
  void save_cursors(std::unique_lock<std::mutex>& lock, bool all);
  void run_scheduler();
  // Starts an attempt for `s` unless one is under way, a retry waits or it is off (the
  // lock held). Attempts run on the pool in the order started: each subscription's next
  // batch goes to the back of the queue, so none waits for another's backlog.
  bool start(const std::shared_ptr<const Subscription>& s, Runtime& r, Clock::time_point now) {
    if (r.busy) return false;
    // A subscription made again under a deleted one's id: nothing of the old one's delivery holds.
    if (r.state.started != s->started) r.state = DeliveryState::fresh(s->started), r.next_attempt = {}, r.saved_delivered = -1;
    if (now < r.next_attempt || stopping || s->status == "off" || s->status == "error") return false;
    r.busy = true;
    pool->post([self = shared_from_this(), s] { self->attempt(s); });
    return true;
  }
  void attempt(std::shared_ptr<const Subscription> s);
  bool post(const Subscription& s, Runtime& r, const std::string& body, std::string& error);
  void deliver(const Subscription& s, Runtime& r);
  bool handshake(const Subscription& s, Runtime& r);
  // Whether the subscription's client may learn of an event's version (and of its resource as it is now).
  // Whether the subscriber's client may read `record`.
  bool authorized(const Subscription& s, const store::ResourceRecord& record) const {
    return !options.authorize || options.authorize(s.owner, record);
  }
  // The resource as it is now when the subscriber may learn of the event (security::disclosable_current).
  std::optional<store::ResourceRecord> may_learn(const Subscription& s, const EventRecord& event);
  bool read_batch(const Subscription& s, int64_t delivered, std::vector<NotificationEvent>& batch,
                  std::vector<store::ResourceRecord>& sent);
  // Sends a batch; what it disclosed besides the events' own records (a v2 result's patient
  // and report) is added to `sent`.
  bool send(const Subscription& s, Runtime& r, const std::vector<NotificationEvent>& batch, int64_t last,
            std::vector<store::ResourceRecord>& sent);
  void failed(const Subscription& s, const std::string& error, bool waiting = false);
};

void Delivery::Impl::run_scheduler() {
  pthread_setname_np(pthread_self(), "cb-delivery-at");
  std::unique_lock lock(mutex);
  while (!stopping) {
    auto now = Clock::now();
    for (const auto& s : events.subscriptions()) {
      auto [it, added] = runtimes.try_emplace(s->id);
      Runtime& r = it->second;
      if (added) load_state(s->id, r.state), r.saved_delivered = r.state.delivered;
      bool heartbeat_due = s->heartbeat_s > 0 && now - r.last_sent >= std::chrono::seconds(s->heartbeat_s);
      // "requested" is a request for a handshake, also after one (a client turning an `off`
      // subscription on again): only the handshake makes it active.
      bool handshake_due = !r.state.handshake || s->status == "requested";
      bool end_due = s->ended(fhir::time::now_ms());  // the attempt sets it off
      if (r.dirty || handshake_due || heartbeat_due || end_due) start(s, r, now);
    }
    save_cursors(lock, false);
    wakeup.wait_for(lock, std::chrono::milliseconds(200));
  }
}

void Delivery::Impl::save_cursors(std::unique_lock<std::mutex>& lock, bool all) {
  auto now = Clock::now();
  std::vector<std::pair<std::string, DeliveryState>> due;
  for (auto& [id, r] : runtimes) {
    if (r.busy || r.saved_delivered == r.state.delivered || (!all && now - r.saved_at < kSaveEvery)) continue;
    r.saved_delivered = r.state.delivered;
    r.saved_at = now;
    due.emplace_back(id, r.state);
  }
  if (due.empty()) return;
  lock.unlock();
  for (const auto& [id, state] : due) save_state(id, state);
  lock.lock();
}

bool Delivery::Impl::post(const Subscription& s, Runtime& r, const std::string& body, std::string& error) {
  if (std::string refusal = endpoint_refusal(s.endpoint, options.allowed_hosts, options.loopback_open); !refusal.empty()) {
    error = refusal;
    return false;
  }
  auto endpoint = parse_endpoint(s.endpoint);
  if (!r.client || r.client_for != s.endpoint) {
    http::ClientOptions o{endpoint->host, endpoint->port, endpoint->tls, options.trusted_ca, true, std::chrono::seconds(s.timeout_s),
                          options.client_certificate, options.client_private_key};
    r.client = std::make_unique<http::Client>(o);
    r.client_for = s.endpoint;
  }
  auto [payload, content_type] = encoded(s, body, options.definitions);
  http::Headers headers{{"Content-Type", content_type}};
  for (const auto& h : s.headers) headers.push_back(h);
  if (!s.signing_secret.empty()) headers.emplace_back("X-Carebridge-Signature", "sha256=" + signature(s.signing_secret, payload));
  http::Response response = r.client->post(endpoint->target, payload, headers);
  if (response.status >= 200 && response.status < 300) return true;
  error = response.status == 0 ? "the endpoint could not be reached" : "the endpoint answered HTTP " + std::to_string(response.status);
  r.client.reset();
  return false;
}

void Delivery::Impl::failed(const Subscription& s, const std::string& error, bool waiting) {
  bool past_horizon = false;
  {
    std::lock_guard lock(mutex);
    Runtime& r = runtimes[s.id];
    auto now = Clock::now();
    r.state.last_error = error;
    if (waiting) {  // nobody to send to yet (a websocket not bound): look again soon, no backoff, no horizon
      r.next_attempt = now + std::chrono::seconds(1);
      return;
    }
    if (r.state.failures++ == 0) r.first_failure = now;
    auto base = std::chrono::milliseconds(500) * (int64_t{1} << std::min<int64_t>(r.state.failures - 1, 20));
    auto delay = std::min<std::chrono::milliseconds>(base, options.max_backoff);
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    r.next_attempt = now + std::chrono::milliseconds(static_cast<int64_t>(delay.count() * jitter(random)));
    past_horizon = now - r.first_failure > options.horizon;
  }
  // Outside the lock: the status is a write, whose commit hook wakes delivery (which takes it).
  if (past_horizon && options.set_status) options.set_status(s.id, "error", error);
}

bool Delivery::Impl::handshake(const Subscription& s, Runtime& r) {
  DeliveryState now;  // read under the lock: a $resend moves the cursor from another thread
  {
    std::lock_guard lock(mutex);
    now = r.state;
  }
  if (now.handshake && s.status != "requested") return true;
  // A websocket's handshake is its binding; v2 has none (the first ORU^R01 is the first word).
  if (!s.websocket && !s.v2) {
    // Its events so far: 0 for a new subscription, the count for one turned on again (the
    // Backport IG: events since the subscription was created, whatever was communicated).
    int64_t since = last_event_number(store, s.log(), now.delivered);
    std::string error, body = notification_bundle(s, "handshake", s.status.empty() ? "requested" : s.status, since, {}, base_url());
    if (!post(s, r, body, error)) {
      failed(s, error);
      // The Backport IG (channels): "Any errors in the initial handshake SHALL result in the
      // status being changed to error". The client sets it to requested again to retry.
      if (s.status == "requested" && options.set_status) options.set_status(s.id, "error", "the handshake failed: " + error);
      return false;
    }
  }
  DeliveryState saved;
  {
    std::lock_guard lock(mutex);
    r.state.handshake = true;
    r.state.failures = 0;  // the endpoint answers again: what failed before is past
    r.state.last_error.clear();
    r.saved_delivered = r.state.delivered;
    r.saved_at = Clock::now();
    saved = r.state;
  }
  save_state(s.id, saved);
  if (s.status == "requested" && options.set_status) options.set_status(s.id, "active", "");
  return true;
}

std::optional<store::ResourceRecord> Delivery::Impl::may_learn(const Subscription& s, const EventRecord& event) {
  store::ResourceRecord version = event.as_record();
  if (!authorized(s, version)) return std::nullopt;
  return security::disclosable_current(store, version, [&](const store::ResourceRecord& r) { return authorized(s, r); });
}

bool Delivery::Impl::read_batch(const Subscription& s, int64_t delivered, std::vector<NotificationEvent>& batch,
                                std::vector<store::ResourceRecord>& sent) {
  std::vector<store::LogRecord> records;
  if (!events.recent(s.id, delivered, static_cast<size_t>(s.max_count), records)) {  // else from the store
    auto stored = store.read_log(s.log(), delivered, static_cast<size_t>(s.max_count));
    if (!stored) return false;
    records = std::move(*stored);
  }
  for (const store::LogRecord& record : records) {
    NotificationEvent e;
    e.number = record.seq;
    if (!EventRecord::decode(record.record, e.event)) continue;
    auto current = may_learn(s, e.event);
    e.withheld = !current;
    if (s.payload == Payload::FullResource && !e.event.deleted && current) {  // only a full payload needs the version
      if (current->version == e.event.version) {
        e.body = std::move(current->body);
      } else if (auto version = store.vread(e.event.type, e.event.id, e.event.version)) {
        e.body = std::move(version->body);
      }
    }
    if (!e.withheld) sent.push_back(e.event.as_record());
    batch.push_back(std::move(e));
  }
  return true;
}

bool Delivery::Impl::send(const Subscription& s, Runtime& r, const std::vector<NotificationEvent>& batch, int64_t last,
                          std::vector<store::ResourceRecord>& sent) {
  std::string error;
  if (s.v2) {
    // MLLP carries no TLS here: only to loopback or an allow-listed host, never a host a
    // subscriber names inside the network.
    std::string host(std::string_view(s.endpoint).substr(7, std::string_view(s.endpoint).substr(7).rfind(':')));
    bool listed = std::find(options.allowed_hosts.begin(), options.allowed_hosts.end(), host) != options.allowed_hosts.end();
    if (!listed && !(loopback(host) && options.loopback_open)) {
      failed(s, options.loopback_open ? "an MLLP endpoint must be on loopback or an allow-listed host"
                                      : "an MLLP endpoint must be an allow-listed host (tokens are required)");
      return false;
    }
    auto readable = [&](const store::ResourceRecord& record) { return authorized(s, record); };
    if (!batch.empty() && options.definitions &&
        !send_mllp(s.endpoint, v2_messages(batch, store, *options.definitions, readable, sent, s.id), static_cast<int>(s.timeout_s),
                   error)) {
      failed(s, error);
      return false;
    }
    return true;
  }
  std::string body = notification_bundle(s, batch.empty() ? "heartbeat" : "event-notification", "active", last, batch, base_url());
  if (s.websocket) {
    if (options.websocket && options.websocket->send(s.id, encoded(s, body, options.definitions).first)) return true;
    failed(s, "no websocket connection is bound to the subscription", true);
    return false;
  }
  if (post(s, r, body, error)) return true;
  failed(s, error);
  return false;
}

void Delivery::Impl::deliver(const Subscription& s, Runtime& r) {
  if (!handshake(s, r)) return;
  int64_t delivered;
  uint64_t rewinds;
  {
    std::lock_guard lock(mutex);
    delivered = r.state.delivered;
    rewinds = r.rewinds;
    r.rewound_to = std::numeric_limits<int64_t>::max();
  }
  std::vector<NotificationEvent> batch;
  std::vector<store::ResourceRecord> sent;  // what the subscriber learns of, for the audit trail
  if (!read_batch(s, delivered, batch, sent)) return failed(s, "the store could not read the subscription's events");
  {
    std::lock_guard lock(mutex);
    bool heartbeat_due = s.heartbeat_s > 0 && Clock::now() - r.last_sent >= std::chrono::seconds(s.heartbeat_s);
    if (batch.empty() && !heartbeat_due) {
      r.dirty = r.generation != r.attempt_generation;  // an event committed during the read is not lost
      return;
    }
  }
  int64_t last = batch.empty() ? delivered : batch.back().number;
  if (!send(s, r, batch, last, sent)) return;
  DeliveryState saved;
  bool keep = false;
  {
    std::lock_guard lock(mutex);
    auto now = Clock::now();
    r.last_sent = now;
    // A $resend meanwhile moved the cursor back from where this attempt began: to what it asked for.
    r.state.delivered = r.rewinds == rewinds ? last : std::min(last, r.rewound_to);
    r.state.failures = 0;
    r.state.last_error.clear();
    r.dirty = !batch.empty() || r.generation != r.attempt_generation || r.rewinds != rewinds;  // there may be more
    keep = r.saved_delivered != r.state.delivered && now - r.saved_at >= kSaveEvery;
    if (keep) r.saved_delivered = r.state.delivered, r.saved_at = now;
    saved = r.state;
  }
  if (keep) save_state(s.id, saved);
  if (options.disclosed && s.payload != Payload::Empty && !sent.empty()) options.disclosed(s, sent);
}

void Delivery::Impl::attempt(std::shared_ptr<const Subscription> s) {
  Runtime* r;
  std::string overflow;
  {
    std::lock_guard lock(mutex);
    r = &runtimes[s->id];
    overflow.swap(r->overflow);
    r->attempt_generation = r->generation;
  }
  if (!overflow.empty() && options.set_status) options.set_status(s->id, "error", overflow);
  if (s->ended(fhir::time::now_ms())) {
    if (options.set_status) options.set_status(s->id, "off", "");  // Subscription.end has passed: nothing more is sent
  } else {
    deliver(*s, *r);  // only this worker touches r's client and state fields while busy
  }
  auto current = events.find(s->id);  // the subscription as it is now (it may have changed)
  std::lock_guard lock(mutex);
  Runtime& after = runtimes[s->id];
  after.busy = false;
  if (current && after.dirty) start(current, after, Clock::now());  // there may be more: the next batch
}

Delivery::Delivery(store::Store& store, SubscriptionEvents& events, DeliveryOptions options)
    : impl_(std::make_shared<Impl>(store, events, std::move(options))) {}

Delivery::~Delivery() { stop(); }

void Delivery::start() {
  impl_->pool = std::make_unique<WorkerPool>(std::max(1u, impl_->options.threads),
                                             std::max(impl_->options.threads, impl_->options.max_threads));
  impl_->scheduler = std::thread([impl = impl_] { impl->run_scheduler(); });
}

void Delivery::stop() {
  if (!impl_->scheduler.joinable()) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wakeup.notify_all();
  impl_->scheduler.join();
  impl_->pool->join();
  std::unique_lock lock(impl_->mutex);
  impl_->save_cursors(lock, true);
}

void Delivery::wake(const std::vector<std::string>& ids) {
  std::vector<std::shared_ptr<const Subscription>> woken;
  for (const std::string& id : ids)
    if (auto s = impl_->events.find(id)) woken.push_back(std::move(s));
  bool scheduler = ids.empty();  // the scheduler looks at every subscription, and at new ones
  {
    std::lock_guard lock(impl_->mutex);
    auto mark = [](Impl::Runtime& r) {
      r.dirty = true;
      ++r.generation;
    };
    if (ids.empty())
      for (auto& [id, r] : impl_->runtimes) mark(r);
    auto now = Clock::now();
    for (const auto& s : woken) {
      auto it = impl_->runtimes.find(s->id);
      if (it == impl_->runtimes.end()) {
        scheduler = true;
        continue;
      }
      mark(it->second);
      if (impl_->pool) impl_->start(s, it->second, now);
    }
  }
  if (scheduler) impl_->wakeup.notify_all();
}

void Delivery::set_base_url(std::string url) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.base_url = std::move(url);
}

void Delivery::resend_from(const std::string& id, int64_t since) {
  DeliveryState saved;
  {
    std::lock_guard lock(impl_->mutex);
    auto [it, added] = impl_->runtimes.try_emplace(id);
    if (added) impl_->load_state(id, it->second.state);
    it->second.state.delivered = std::min(it->second.state.delivered, std::max<int64_t>(0, since - 1));
    it->second.rewound_to = std::min(it->second.rewound_to, std::max<int64_t>(0, since - 1));
    ++it->second.rewinds;
    it->second.dirty = true;
    it->second.next_attempt = {};
    it->second.saved_delivered = it->second.state.delivered;
    saved = it->second.state;
  }
  impl_->save_state(id, saved);
  impl_->wakeup.notify_all();
}

void Delivery::overflowed(const std::string& id, int64_t max_backlog) {
  {
    std::lock_guard lock(impl_->mutex);
    auto& r = impl_->runtimes[id];
    r.overflow = "more than " + std::to_string(max_backlog) +
                 " events wait undelivered: newer events are no longer kept for this subscription";
    r.dirty = true;
    r.next_attempt = {};
  }
  impl_->wakeup.notify_all();
}

std::string Delivery::handshake_notification(const std::string& id) const {
  auto s = impl_->events.find(id);
  if (!s) return {};
  int64_t since = last_event_number(impl_->store, s->log(), state(*s).delivered);
  return encoded(*s, notification_bundle(*s, "handshake", s->status.empty() ? "requested" : s->status, since, {}, impl_->base_url()),
                 impl_->options.definitions)
      .first;
}

DeliveryState Delivery::state(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->runtimes.find(id);
  if (it != impl_->runtimes.end()) return it->second.state;
  DeliveryState saved;  // not yet looked at since start: what was kept
  impl_->load_state(id, saved);
  return saved;
}

DeliveryState Delivery::state(const Subscription& s) const {
  DeliveryState found = state(s.id);
  // Of a deleted subscription whose id has been taken again: nothing is delivered yet.
  return found.started == s.started ? found : DeliveryState::fresh(s.started);
}

}  // namespace carebridge::gateway::routing
