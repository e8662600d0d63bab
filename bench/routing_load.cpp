// Routing under load, end to end: SUBSCRIBERS rest-hook subscriptions (the lab-results
// topic, id-only) to a webhook receiver in this process, then WRITES lab results posted at
// RATE per second (0: as fast as the server takes them) by a few writer threads, each on
// its own keep-alive connection. Prints the writes acknowledged per second, the
// notifications received per second, and the latency from a write's acknowledgement to
// each of its notifications (p50, p99, max).
//
//   fan-out: every subscriber follows the same patient, so every write notifies every
//            subscriber (WRITES × SUBSCRIBERS notifications);
//   routed:  each subscriber follows its own patient (a `patient=` filter) and the writes
//            go round the patients, as results reach the providers of their patient (one
//            notification per write);
//   teams:   each patient is followed by a care team of 10 subscribers (SUBSCRIBERS/10
//            patients) and the writes go round the patients (10 notifications per write:
//            at 1,000 writes/s, 10,000 notifications/s);
//   quiet:   each subscriber follows its own patient and every write is about another
//            one: the subscriptions are matched on every write and none fires (what
//            matching costs the write path).
//
// usage: bench_routing_load BASE_URL [SUBSCRIBERS] [WRITES] [RATE] [fan-out|routed|teams|quiet] [WRITERS]
// (bench/load/routing.sh starts a server and runs it.)
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gateway/http/client.h"
#include "tests/e2e/webhook_receiver.h"

namespace {

using Clock = std::chrono::steady_clock;
using carebridge::gateway::http::Client;

constexpr const char* kTopic = "http://carebridge.example/fhir/SubscriptionTopic/lab-results";
constexpr const char* kBackport = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/";

struct Options {
  std::string host, path;
  uint16_t port = 0;
  int subscribers = 100, writes = 2000;
  double rate = 1000;
  enum class Mode { FanOut, Routed, Teams, Quiet } mode = Mode::FanOut;
  static constexpr int kTeam = 10;  // subscribers per patient in the teams mode
  int writers = 4;  // connections writing at once
};

// What was acknowledged and received, and when.
struct Ledger {
  std::mutex mutex;
  std::unordered_map<std::string, Clock::time_point> acked;
  std::vector<std::pair<std::string, Clock::time_point>> received;
  std::atomic<int> handshakes{0};

  void on_body(std::string_view body) {
    auto now = Clock::now();
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (!doc.IsObject() || !doc.HasMember("entry") || !doc["entry"].IsArray()) return;
    if (body.find("\"handshake\"") != std::string_view::npos) ++handshakes;
    const auto& entries = doc["entry"].GetArray();
    std::lock_guard lock(mutex);
    for (rapidjson::SizeType i = 1; i < entries.Size(); ++i) {
      if (!entries[i].HasMember("fullUrl") || !entries[i]["fullUrl"].IsString()) continue;
      std::string url = entries[i]["fullUrl"].GetString();
      received.emplace_back(url.substr(url.rfind('/') + 1), now);
    }
  }
};

const char* mode_name(Options::Mode mode) {
  switch (mode) {
    case Options::Mode::Routed: return "routed";
    case Options::Mode::Teams: return "teams";
    case Options::Mode::Quiet: return "quiet";
    default: return "fan-out";
  }
}

// The notifications `acked` writes should bring.
size_t expected(const Options& o, size_t acked) {
  if (o.subscribers == 0) return 0;
  if (o.mode == Options::Mode::Quiet) return 0;
  if (o.mode == Options::Mode::Routed) return acked;
  if (o.mode == Options::Mode::Teams) return acked * static_cast<size_t>(std::min(o.subscribers, Options::kTeam));
  return acked * static_cast<size_t>(o.subscribers);
}

bool read_options(int argc, char** argv, Options& o) {
  if (argc < 2) return false;
  std::string base = argv[1];
  if (!base.starts_with("http://")) return false;
  std::string rest = base.substr(7);
  size_t slash = rest.find('/'), colon = rest.find(':');
  if (colon == std::string::npos || colon > slash) return false;
  o.host = rest.substr(0, colon);
  o.port = static_cast<uint16_t>(std::stoi(rest.substr(colon + 1, slash - colon - 1)));
  o.path = slash == std::string::npos ? "" : rest.substr(slash);
  if (argc > 2) o.subscribers = std::stoi(argv[2]);
  if (argc > 3) o.writes = std::stoi(argv[3]);
  if (argc > 4) o.rate = std::stod(argv[4]);
  if (argc > 5) {
    std::string mode = argv[5];
    if (mode == "routed") o.mode = Options::Mode::Routed;
    else if (mode == "teams") o.mode = Options::Mode::Teams;
    else if (mode == "quiet") o.mode = Options::Mode::Quiet;
    else if (mode != "fan-out") return false;
  }
  if (argc > 6) o.writers = std::max(1, std::stoi(argv[6]));
  return true;
}

std::string id_of(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  return doc.IsObject() && doc.HasMember("id") && doc["id"].IsString() ? doc["id"].GetString() : "";
}

std::string subscription(const std::string& endpoint, const std::string& patient) {
  std::string s = R"({"resourceType":"Subscription","status":"requested","reason":"load","criteria":")" + std::string(kTopic) + "\"";
  if (!patient.empty())
    s += R"(,"_criteria":{"extension":[{"url":")" + std::string(kBackport) +
         R"(backport-filter-criteria","valueString":"Observation?patient=Patient/)" + patient + R"("}]})";
  return s + R"(,"channel":{"type":"rest-hook","endpoint":")" + endpoint +
         R"(","payload":"application/fhir+json","_payload":{"extension":[{"url":")" + kBackport +
         R"(backport-payload-content","valueCode":"id-only"}]}}})";
}

std::string observation(const std::string& patient) {
  return R"({"resourceType":"Observation","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}]},"subject":{"reference":"Patient/)" +
         patient + R"("},"valueQuantity":{"value":100,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}})";
}

// How many patients the subscribers follow.
int followed(const Options& o) {
  switch (o.mode) {
    case Options::Mode::FanOut: return 1;
    case Options::Mode::Teams: return std::max(1, (o.subscribers + Options::kTeam - 1) / Options::kTeam);
    default: return std::max(1, o.subscribers);
  }
}

// The patients written about: a subscriber for each (routed), ten for each (teams), all on
// the first (fan-out), or none (quiet: the subscribers follow other patients).
std::vector<std::string> subscribe(const Options& o, const std::string& endpoint, Ledger& ledger) {
  Client client(o.host, o.port);
  std::vector<std::string> patients;
  int count = followed(o) + (o.mode == Options::Mode::Quiet);
  for (int i = 0; i < count; ++i)
    patients.push_back(id_of(client.post(o.path + "/Patient", R"({"resourceType":"Patient","name":[{"family":"Load"}]})",
                                         {{"Content-Type", "application/fhir+json"}}).body));
  for (int i = 0; i < o.subscribers; ++i)
    client.post(o.path + "/Subscription", subscription(endpoint, o.mode == Options::Mode::FanOut ? "" : patients[static_cast<size_t>(i % followed(o))]),
                {{"Content-Type", "application/fhir+json"}});
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (ledger.handshakes < o.subscribers && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (o.mode == Options::Mode::Quiet) return {patients.back()};
  return patients;
}

void write(const Options& o, const std::vector<std::string>& patients, int writer, Ledger& ledger) {
  Client client(o.host, o.port);
  auto interval = o.rate > 0 ? std::chrono::duration<double>(o.writers / o.rate) : std::chrono::duration<double>(0);
  auto next = Clock::now();
  for (int i = writer; i < o.writes; i += o.writers) {
    auto answer = client.post(o.path + "/Observation", observation(patients[static_cast<size_t>(i) % patients.size()]),
                              {{"Content-Type", "application/fhir+json"}});
    auto now = Clock::now();
    if (answer.status == 201) {
      std::lock_guard lock(ledger.mutex);
      ledger.acked[id_of(answer.body)] = now;
    }
    next += std::chrono::duration_cast<Clock::duration>(interval);
    if (next > now) std::this_thread::sleep_until(next);
  }
}

void report(const Options& o, Ledger& ledger, double written_s, double elapsed_s) {
  std::lock_guard lock(ledger.mutex);
  std::vector<double> latencies;
  for (const auto& [id, at] : ledger.received)
    if (auto it = ledger.acked.find(id); it != ledger.acked.end())
      // A notification can arrive before the writer has read its acknowledgement: that is 0.
      latencies.push_back(std::max(0.0, std::chrono::duration<double, std::milli>(at - it->second).count()));
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * latencies.size()))];
  };
  std::printf("%zu writes in %.1f s (%.0f/s) with %d subscribers (%s); %zu of %zu notifications in %.1f s (%.0f/s)\n",
              ledger.acked.size(), written_s, ledger.acked.size() / written_s, o.subscribers, mode_name(o.mode),
              ledger.received.size(), expected(o, ledger.acked.size()), elapsed_s, ledger.received.size() / elapsed_s);
  std::printf("write acknowledged -> notification received, ms: p50 %.1f, p99 %.1f, max %.1f\n", pct(0.5), pct(0.99),
              latencies.empty() ? 0.0 : latencies.back());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!read_options(argc, argv, o)) {
    std::cerr << "usage: bench_routing_load http://HOST:PORT/fhir [SUBSCRIBERS] [WRITES] [RATE] [fan-out|routed|teams|quiet] [WRITERS]\n";
    return 2;
  }
  Ledger ledger;
  carebridge::testing::WebhookReceiver receiver([&](std::string_view body) { ledger.on_body(body); });
  auto patients = subscribe(o, receiver.url(), ledger);
  auto began = Clock::now();
  std::vector<std::thread> writers;
  for (int w = 0; w < o.writers; ++w) writers.emplace_back([&, w] { write(o, patients, w, ledger); });
  for (auto& t : writers) t.join();
  double written_s = std::chrono::duration<double>(Clock::now() - began).count();
  size_t wanted = expected(o, ledger.acked.size());
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    {
      std::lock_guard lock(ledger.mutex);
      if (ledger.received.size() >= wanted) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  report(o, ledger, written_s, std::chrono::duration<double>(Clock::now() - began).count());
}
