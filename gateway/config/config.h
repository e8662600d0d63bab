// The server configuration: built-in defaults, then a JSON config file, then the
// command-line flags (each later source overrides the earlier one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carebridge::gateway::config {

struct Listen {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string tls_certificate;  // PEM files; both set turns TLS (1.2+) on for this address
  std::string tls_private_key;
  // Mutual TLS (hospital connections): client certificates signed by these CAs (PEM) are
  // verified, and a registered client's certificate stands for its token. Empty: not asked.
  std::string tls_client_ca;
  bool tls_client_certificate_required = false;  // refuse connections without one
};

struct Limits {
  size_t max_body_bytes = 64u << 20;    // 413 beyond this: a Synthea lifetime can pass 16 MB
  size_t max_header_bytes = 16u << 10;  // 431 beyond this
  uint32_t request_timeout_ms = 30000;  // reading one request (a slow client is disconnected)
  uint32_t idle_timeout_ms = 60000;     // keep-alive connection with no request under way
  uint32_t shutdown_timeout_ms = 30000; // in-flight requests get this long on SIGTERM
  size_t max_transaction_entries = 20000;
  size_t max_pending_requests = 1024;  // requests queued or running at once; beyond: 503
  uint32_t default_page_size = 20;
  uint32_t max_page_size = 1000;
  uint32_t search_timeout_ms = 10000;   // a search (with its includes) stopped beyond this: 503
  size_t max_response_bytes = 64u << 20;  // a batch's answers beyond this: its further reads answer 413
  // The size of one search, each answered 400 beyond (so that a search costs in
  // proportion to its size): values of one parameter, parameters of a search,
  // nested _has levels, and the length of its parameters and values together.
  size_t max_search_values = 1000;
  size_t max_search_parameters = 100;
  size_t max_has_depth = 8;
  size_t max_search_query_bytes = 65536;
  // Per client (gateway/pipeline/rate_limit.h): requests a second and the burst
  // allowed above that (0: as many as requests_per_second), 429 beyond; 0: no limit.
  uint32_t requests_per_second = 0;
  uint32_t request_burst = 0;
  size_t max_rate_limited_clients = 16384;  // buckets kept; the least recently seen goes first
  // Open connections from one remote address; a further one is closed at once (0: no limit).
  uint32_t max_connections_per_address = 256;
};

struct Logging {
  bool requests = true;  // one JSON line per request
  std::string file;      // empty: standard error
};

// How writes are validated: "ingest" (refuse what breaks FHIR, warn about what real
// systems send) or "strict" (as the validate command), by default and per type.
struct Validation {
  std::string policy = "ingest";
  std::map<std::string, std::string, std::less<>> types;  // "Patient" -> "strict"

  const std::string& policy_for(std::string_view type) const;
};

// Browser apps on other origins: loopback origins are always allowed, these too ("*": any).
struct Cors {
  std::vector<std::string> allowed_origins;
};

// Who may call (the security issue): tokens from the gateway's own token endpoint
// (SMART Backend Services) or from configured external issuers.
struct ExternalIssuer {
  std::string issuer;                  // the tokens' "iss"
  std::string jwks_file;               // its public keys (a JWK Set)
  std::vector<std::string> audiences;  // one must be in "aud"; empty: the gateway's FHIR base URL
  std::string organization_claim = "organization";  // the claim naming the caller's organization id
};
struct Auth {
  // Tokens required: true, false, or unset (required unless every listener is on loopback).
  std::optional<bool> required;
  bool metrics_public = false;          // /metrics without a token when tokens are required
  std::vector<std::string> open_paths;  // further paths (or prefixes ending in '*') open without a token
  uint32_t token_lifetime_s = 300;      // access tokens the gateway issues
  uint32_t clock_skew_s = 60;           // tolerated on exp, nbf and iat (at most 300)
  std::string issuer;                   // the gateway's own issuer URL; empty: from the request's Host
  std::vector<ExternalIssuer> issuers;
  // Whether tokens are required for a server with these listeners.
  bool tokens_required(const std::vector<Listen>& listen) const;
};

// An MLLP listener (HL7 v2 over TCP): where it listens (TLS and mutual TLS as for HTTP)
// and which registered client its messages are written as. With mutual TLS, the client
// whose certificate the sender presents; else `client`.
struct MllpListen {
  Listen listen{"127.0.0.1", 2575, {}, {}, {}, false};
  std::string client;
  size_t max_message_bytes = 16u << 20;  // a larger frame is answered AR and dropped
  uint32_t frame_timeout_ms = 30000;     // a frame started and not ended within this: the connection is closed
  uint32_t idle_timeout_ms = 600000;     // no message within this: the connection is closed
};

// Delivery of subscription notifications.
struct Routing {
  std::vector<std::string> allowed_hosts;  // http (not https) and private addresses allowed for these endpoints
  uint32_t retry_hours = 72;               // a receiver failing this long: its subscription's status becomes error
  unsigned delivery_threads = 4;
  uint32_t max_backlog = 100000;  // events waiting for one subscriber before its status becomes error
  // The gateway's own certificate and key (PEM) for receivers that ask for one (mutual TLS),
  // and the CAs it trusts for theirs (empty: the system's).
  std::string client_certificate, client_private_key, trusted_ca;
  std::string websocket = "127.0.0.1:0";  // where the websocket channel listens ("": none)
};

struct Config {
  std::vector<Listen> listen{Listen{}};
  std::string data_dir = "data";
  std::string base_path = "/fhir";
  // This server's FHIR base as its clients reach it ("https://gateway.example.org/fhir" behind a
  // proxy that ends TLS): the base of every absolute URL it writes (fullUrls, paging links,
  // notifications) and under which an absolute reference or entry url is one of its own. Empty:
  // each request's Host (and notifications name http://localhost).
  std::string public_base_url;
  unsigned io_threads = 0;      // 0: one per core
  unsigned worker_threads = 0;  // 0: 64, or 16 per core if more (see http::thread_counts)
  Limits limits;
  Logging logging;
  // Profiles every resource of a type must meet: "Patient" -> [canonical URLs].
  std::map<std::string, std::vector<std::string>> profiles;
  // FHIR packages to load: package folders or published .tgz files.
  std::vector<std::string> packages;
  Validation validation;
  Cors cors;
  Auth auth;
  std::string port_file;  // where the bound port is written once listening (tests)
  std::vector<MllpListen> mllp;
  Routing routing;
  // The agency formats (mappings) each organization may send, on the pages and at
  // /ingest: organization id → mapping names. An organization not listed may use every one.
  std::map<std::string, std::vector<std::string>> agency_formats;
  std::string mllp_port_file;  // where the first MLLP listener's bound port is written (tests)
  // The senders' time zone ("-05:00") for v2 times that carry none, when MSH-7 has none
  // either; empty: such times are read as UTC, with a warning.
  std::string hl7v2_time_zone;
};

// Reads a config file; nullopt with `error` set when it cannot be read or is wrong.
std::optional<Config> load_file(const std::string& path, std::string& error);

// Parses "HOST:PORT" ("[::1]:8080" for IPv6); false when malformed.
bool parse_listen(const std::string& text, Listen& listen);

}  // namespace carebridge::gateway::config
