#include "gateway/routing/subscription.h"
#include "fhir/io/shipped_path.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "fhir/search/parse.h"
#include "fhir/time/fhir_time.h"
#include "gateway/rest/negotiation.h"

#ifndef CAREBRIDGE_TOPICS_FILE
#define CAREBRIDGE_TOPICS_FILE "gateway/routing/topics.json"
#endif

namespace carebridge::gateway::routing {

namespace fs = std::filesystem;
using carebridge::Result;
using Json = rapidjson::Value;

namespace {

std::string text(const Json& v, const char* name) {
  if (!v.IsObject()) return {};
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                     : std::string();
}

const Json* member(const Json& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

// The backport extension `name` on `element` (its value member), or null.
const Json* extension(const Json* element, std::string_view name) {
  const Json* list = element ? member(*element, "extension") : nullptr;
  if (!list || !list->IsArray()) return nullptr;
  for (const Json& e : list->GetArray()) {
    if (text(e, "url") != std::string(kBackport) + std::string(name)) continue;
    for (auto m = e.MemberBegin(); m != e.MemberEnd(); ++m)
      if (std::string_view(m->name.GetString()).starts_with("value")) return &m->value;
  }
  return nullptr;
}

std::vector<const Json*> extensions(const Json* element, std::string_view name) {
  std::vector<const Json*> out;
  const Json* list = element ? member(*element, "extension") : nullptr;
  if (!list || !list->IsArray()) return out;
  for (const Json& e : list->GetArray())
    if (text(e, "url") == std::string(kBackport) + std::string(name) && e.HasMember("valueString")) out.push_back(&e["valueString"]);
  return out;
}

// "Observation?a=b&c=d" → type and parameters.
std::pair<std::string, fhir::search::Params> split_search(std::string_view search) {
  size_t q = search.find('?');
  std::string type(search.substr(0, q));
  if (size_t slash = type.rfind('/'); slash != std::string::npos) type = type.substr(slash + 1);
  return {type, q == std::string_view::npos ? fhir::search::Params{} : rest::parse_query(search.substr(q + 1))};
}

// A topic's filter: "Observation?patient=Patient/7" as a search, or — the Backport's own
// forms — "patient=Patient/7" (every trigger) and "Observation.patient=Patient/7". Read as
// a search only, the last two named a type "patient=Patient/7" and filtered nothing.
std::pair<std::string, fhir::search::Params> split_filter(std::string_view filter) {
  if (filter.find('?') != std::string_view::npos || filter.find('=') == std::string_view::npos) return split_search(filter);
  return {std::string(), rest::parse_query(filter)};
}

Result<fhir::search::SearchQuery> compile(const fhir::search::SearchRegistry& registry, const std::string& type,
                                          const fhir::search::Params& params) {
  fhir::search::ParsedSearch parsed;
  std::vector<fhir::model::Issue> issues;
  if (!parse_search(registry, type, params, fhir::search::SearchLimits{}, true, parsed, issues)) return issues;
  return parsed.query;
}

// The code of a Subscription's meta.tag of `system` (kOwnerTagSystem, kStartTagSystem).
std::string tag_in(const Json& doc, const char* system) {
  if (const Json* meta = member(doc, "meta"); meta)
    if (const Json* tags = member(*meta, "tag"); tags && tags->IsArray())
      for (const Json& t : tags->GetArray())
        if (text(t, "system") == system) return text(t, "code");
  return {};
}

}  // namespace

std::string event_log(std::string_view subscription_id, int64_t started) {
  std::string log = "subscription/" + std::string(subscription_id);
  return started > 1 ? log + "/from-" + std::to_string(started) : log;
}

StoredSubscription stored_subscription(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (!doc.IsObject()) return {};
  return {tag_in(doc, kOwnerTagSystem), text(doc, "status"), tag_in(doc, kStartTagSystem)};
}

Result<Topics> Topics::load(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  const Json* list = doc.IsObject() ? member(doc, "topics") : nullptr;
  if (!list || !list->IsArray()) return Result<Topics>::failure("invalid", "the topics file has no \"topics\" list");
  Topics out;
  for (const Json& t : list->GetArray()) {
    Topic topic{text(t, "url"), text(t, "title"), text(t, "description"), {}, {}};
    if (const Json* triggers = member(t, "triggers"); triggers && triggers->IsArray()) {
      for (const Json& g : triggers->GetArray()) {
        TopicTrigger trigger{text(g, "resource"), false, false, false, text(g, "query"), text(g, "changed") == "status"};
        if (const Json* on = member(g, "interactions"); on && on->IsArray())
          for (const Json& i : on->GetArray()) {
            std::string_view name = i.IsString() ? i.GetString() : "";
            trigger.create = trigger.create || name == "create";
            trigger.update = trigger.update || name == "update";
            trigger.del = trigger.del || name == "delete";
          }
        topic.triggers.push_back(std::move(trigger));
      }
    }
    if (const Json* filters = member(t, "canFilterBy"); filters && filters->IsArray())
      for (const Json& f : filters->GetArray()) topic.can_filter_by.emplace_back(text(f, "resource"), text(f, "filterParameter"));
    if (topic.url.empty() || topic.triggers.empty())
      return Result<Topics>::failure("invalid", "a topic needs a url and triggers");
    out.topics_.push_back(std::move(topic));
  }
  return out;
}

std::string Topics::default_path() {
  return fhir::io::shipped_path("CAREBRIDGE_TOPICS", {"topics.json", "../gateway/routing/topics.json"}, CAREBRIDGE_TOPICS_FILE)
      .string();
}

const Topic* Topics::find(std::string_view url) const {
  std::string_view plain = url.substr(0, url.find('|'));  // canonical|version
  for (const Topic& t : topics_)
    if (t.url == plain) return &t;
  return nullptr;
}

namespace {

constexpr const char* kCareTeamMember = "care-team-member";

// Takes the care-team filter out of a search's parameters.
std::string take_care_team_member(fhir::search::Params& params) {
  std::string member;
  std::erase_if(params, [&](const auto& p) {
    if (p.first != kCareTeamMember) return false;
    member = p.second;
    return true;
  });
  return member;
}

// The topic's triggers with the subscriber's filters ("Observation?patient=Patient/7").
Result<std::vector<Target>> topic_targets(const Topic& topic, const std::vector<const Json*>& filters,
                                          const fhir::search::SearchRegistry& registry) {
  std::map<std::string, fhir::search::Params> by_type;
  for (const Json* f : filters) {
    auto [type, params] = split_filter(f->GetString());
    for (auto& [name, value] : params) {
      // "Observation.patient=Patient/7": the parameter names its resource type.
      if (auto dot = name.find('.'); dot != std::string::npos && type.empty()) {
        type = name.substr(0, dot);
        name = name.substr(dot + 1);
      }
      std::string base = name.substr(0, name.find(':'));
      if (base == kCareTeamMember) continue;  // read by read_subscription
      bool allowed = false;
      for (const auto& [resource, parameter] : topic.can_filter_by)
        allowed = allowed || ((resource == type || type.empty()) && parameter == base);
      if (!allowed)
        return Result<std::vector<Target>>::failure(
            "invalid", "the topic " + topic.url + " cannot be filtered by " + (type.empty() ? "" : type + ".") + base);
      by_type[type].emplace_back(name, value);
    }
  }
  std::vector<Target> out;
  for (const TopicTrigger& trigger : topic.triggers) {
    auto [ignored, params] = split_search("?" + trigger.query);
    for (const auto& key : {trigger.resource, std::string()})
      if (auto it = by_type.find(key); it != by_type.end()) params.insert(params.end(), it->second.begin(), it->second.end());
    auto query = compile(registry, trigger.resource, params);
    if (!query) return query.issues();
    out.push_back({trigger.resource, trigger.create, trigger.update, trigger.del, std::move(*query), trigger.status_change});
  }
  return out;
}

// A channel.header the gateway sends as given: a name of token characters and a value with
// no line break (one with CR or LF would add headers of its own), and none of the headers
// that frame the request (Host, Content-Length, Transfer-Encoding, Connection, Content-Type).
bool sendable_header(std::string_view name, std::string_view value) {
  static constexpr std::string_view kToken = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  if (name.empty() || name.find_first_not_of(kToken) != std::string_view::npos) return false;
  if (value.find_first_of("\r\n") != std::string_view::npos || value.find('\0') != std::string_view::npos) return false;
  for (std::string_view framing : {"host", "content-length", "transfer-encoding", "connection", "content-type", "upgrade"}) {
    if (name.size() == framing.size() &&
        std::equal(name.begin(), name.end(), framing.begin(), [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }))
      return false;
  }
  return true;
}

void read_channel(const Json& channel, Subscription& s) {
  s.endpoint = text(channel, "endpoint");
  if (std::string payload = text(channel, "payload"); !payload.empty()) s.content_type = payload;
  if (const Json* content = extension(member(channel, "_payload"), "backport-payload-content"); content && content->IsString()) {
    std::string_view c = content->GetString();
    s.payload = c == "empty" ? Payload::Empty : c == "id-only" ? Payload::IdOnly : Payload::FullResource;
  } else if (text(channel, "payload").empty()) {
    s.payload = Payload::Empty;  // R4: no payload, no content
  }
  if (const Json* headers = member(channel, "header"); headers && headers->IsArray())
    for (const Json& h : headers->GetArray()) {
      std::string_view line = h.IsString() ? h.GetString() : "";
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (!sendable_header(line.substr(0, colon), value)) continue;
      s.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
  if (const Json* list = member(channel, "extension"); list && list->IsArray())
    for (const Json& e : list->GetArray())
      if (text(e, "url") == kSigningSecret) s.signing_secret = text(e, "valueString");
  if (const Json* v = extension(&channel, "backport-heartbeat-period"); v && v->IsUint()) s.heartbeat_s = v->GetUint();
  // A receiver is given at most a minute: a longer wait would hold a delivery thread.
  if (const Json* v = extension(&channel, "backport-timeout"); v && v->IsUint())
    s.timeout_s = std::clamp<int64_t>(v->GetUint(), 1, 60);
  if (const Json* v = extension(&channel, "backport-max-count"); v && v->IsUint() && v->GetUint() > 0) s.max_count = v->GetUint();
}

// Why the gateway cannot send this channel's payload, or "": a MIME type other than FHIR JSON
// or XML, or of another FHIR version (the Backport IG, Subscriptions and FHIR Versions: "SHALL
// not accept requests for notification FHIR versions it cannot support"), or a payload
// content other than the IG's three ("the payload configuration is known and implemented").
std::string payload_refusal(const Json& channel) {
  std::string payload = text(channel, "payload");
  if (!payload.empty() && rest::media_format(payload) == fhir::io::Format::Unknown)
    return "Subscription.channel.payload: this gateway sends FHIR R4 as application/fhir+json or application/fhir+xml, not '" +
           payload + "'";
  const Json* content = extension(member(channel, "_payload"), "backport-payload-content");
  std::string_view code = content && content->IsString() ? content->GetString() : "";
  if (content && code != "empty" && code != "id-only" && code != "full-resource")
    return "Subscription.channel.payload: the payload content is empty, id-only or full-resource, not '" + std::string(code) + "'";
  return {};
}

// Whether a clause, or a clause it chains to, is a _has: what refers to a resource is not
// looked for when it is written, so such criteria would never fire.
bool reverse_chained(const fhir::search::Clause& c) {
  if (!c.has_type.empty() || (c.chain && reverse_chained(*c.chain))) return true;
  return std::any_of(c.either.begin(), c.either.end(), [](const fhir::search::Clause& e) { return reverse_chained(e); });
}

// The audit trail is not sent to subscribers: every notification, and every one withheld, is
// itself audited, so a subscription to AuditEvents would be told of its own notifications
// without end (each a write, each audited) — one client's subscription filled the store.
// It is refused when written rather than left to never fire (SubscriptionEvents::on_write).
Result<Subscription> routed(Subscription s) {
  for (const Target& t : s.targets) {
    if (t.resource.empty())  // "?_type=Observation": stored, it never fired
      return Result<Subscription>::failure("not-supported",
                                           "Subscription.criteria: name the resource type the subscription follows "
                                           "(Observation?code=...); a search of no type is not sent to subscribers");
    for (const fhir::search::Clause& c : t.query.clauses)
      if (reverse_chained(c))  // also inside a chain (subject:Patient._has:Observation:...)
        return Result<Subscription>::failure("not-supported", "Subscription.criteria: _has (the resources that refer to "
                                                              "one) is not evaluated for subscriptions");
    if (t.resource == "AuditEvent")
      return Result<Subscription>::failure("not-supported",
                                           "Subscription.criteria: the audit trail is not sent to subscribers (each notification is "
                                           "itself audited); an administrator's client reads it by searching AuditEvent");
  }
  return s;
}

}  // namespace

Result<Subscription> read_subscription(std::string_view json, const Topics& topics,
                                       const fhir::search::SearchRegistry& registry) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (!doc.IsObject()) return Result<Subscription>::failure("invalid", "the Subscription is not JSON");
  Subscription s;
  s.id = text(doc, "id");
  s.status = text(doc, "status");
  s.topic = text(doc, "criteria");
  s.owner = tag_in(doc, kOwnerTagSystem);
  s.started = std::max<int64_t>(1, std::atoll(tag_in(doc, kStartTagSystem).c_str()));
  if (std::string end = text(doc, "end"); !end.empty()) {
    auto range = fhir::time::date_range(end);
    if (!range) return Result<Subscription>::failure("invalid", "Subscription.end: '" + end + "' is not a dateTime");
    s.end_ms = static_cast<int64_t>(range->first * 1000);
  }
  const Json* channel = member(doc, "channel");
  std::string channel_type = channel ? text(*channel, "type") : "";
  if (channel_type != "rest-hook" && channel_type != "message" && channel_type != "websocket")
    return Result<Subscription>::failure(
        "not-supported", "Subscription.channel.type: this gateway delivers rest-hook, websocket, and message over MLLP (HL7 v2)");
  if (std::string refusal = channel_type == "message" ? "" : payload_refusal(*channel); !refusal.empty())
    return Result<Subscription>::failure("not-supported", refusal);
  read_channel(*channel, s);
  s.v2 = channel_type == "message";
  s.websocket = channel_type == "websocket";
  if (s.v2 && !s.endpoint.starts_with("mllp://"))
    return Result<Subscription>::failure("invalid", "Subscription.channel.endpoint: a message channel needs mllp://host:port");
  if (!s.v2 && !s.websocket && !s.endpoint.starts_with("http://") && !s.endpoint.starts_with("https://"))
    return Result<Subscription>::failure("invalid", "Subscription.channel.endpoint: an http or https URL is needed");
  if (s.v2) s.payload = Payload::FullResource;  // v2 is made from the resources
  if (const Topic* topic = topics.find(s.topic)) {
    auto filters = extensions(member(doc, "_criteria"), "backport-filter-criteria");
    for (const Json* f : filters) {
      auto [type, params] = split_filter(f->GetString());
      if (std::string m = take_care_team_member(params); !m.empty()) s.care_team_member = m;
    }
    auto targets = topic_targets(*topic, filters, registry);
    if (!targets) return targets.issues();
    s.targets = std::move(*targets);
    return routed(std::move(s));
  }
  if (s.names_topic())
    return Result<Subscription>::failure("not-found", "Subscription.criteria: no topic " + s.topic + " on this gateway");
  auto [type, params] = split_search(s.topic);
  s.care_team_member = take_care_team_member(params);
  auto query = compile(registry, type, params);
  if (!query) return query.issues();
  s.targets.push_back({type, true, true, false, std::move(*query), false});
  return routed(std::move(s));
}

}  // namespace carebridge::gateway::routing
