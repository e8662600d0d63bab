#include "mappings/hl7v2/transaction.h"


#include <functional>
#include <unordered_map>

#include "mappings/engine/ids.h"
#include "mappings/hl7v2/datatypes.h"
#include "mappings/hl7v2/digits.h"
#include "mappings/hl7v2/resource_passes.h"

namespace carebridge::mappings::hl7v2 {

using engine::Node;

namespace {

// One identifier as a token: a value sent without an authority is asked for as one without
// a system (`|value`): a bare MRN or provider number must not find, or update, the record
// another authority's identifier of the same value names, nor fail on finding several.
std::string identifier_token(const Node& id) {
  std::string_view system = id.text_of("system");
  return (system.empty() ? "%7C" : "") + engine::token_criteria(system, id.text_of("value"));
}

// A number many people may be given in test data and by mistake (an SSN, a driver's
// licence): it names the person, but a record is not found by it.
bool finds_no_record(const Node& id) {
  if (id.text_of("system") == "http://hl7.org/fhir/sid/us-ssn") return true;
  const Node* type = id.member("type");
  const Node* codings = type ? type->member("coding") : nullptr;
  if (!codings) return false;
  for (const Node& coding : codings->is_array() ? codings->children : std::vector<Node>{*codings}) {
    std::string_view code = coding.text_of("code");
    if (code == "SS" || code == "DL") return true;
  }
  return false;
}

std::vector<const Node*> identifiers_at(const Node& resource, std::string_view path) {
  std::vector<const Node*> out;
  const Node* ids = resource.member(path);
  if (!ids) return out;
  if (!ids->is_array()) {
    if (!ids->text_of("value").empty()) out.push_back(ids);
    return out;
  }
  for (const Node& id : ids->children)
    if (!id.text_of("value").empty()) out.push_back(&id);
  return out;
}

}  // namespace

// The sender a message's keys name: the authenticated organization, when the gateway knows
// it, before MSH-3 and MSH-4, which say what the sender writes there.
// The gateway's secret leads it (MapOptions::id_secret).
std::string sender_of(const Message& message, std::string_view organization, std::string_view secret) {
  const Segment& msh = message.segments().front();
  return (secret.empty() ? "" : std::string(secret) + "|") + (organization.empty() ? "" : std::string(organization) + "|") +
         message.value(msh, 3) + "|" + message.value(msh, 4);
}

std::string message_key(const Message& message, std::string_view raw, std::string_view organization, std::string_view secret) {
  std::string key = sender_of(message, organization, secret) + "|" + message.control_id();
  if (message.control_id().empty()) key += "|" + engine::name_uuid(raw);
  return key;
}

std::string stored_message_id(const Message& message, std::string_view raw, std::string_view organization, std::string_view id_secret) {
  return engine::name_uuid("Binary|" + message_key(message, raw, organization, id_secret));
}

std::string sender_uri(const Message& message) {
  const Segment& msh = message.segments().front();
  size_t field = message.value(msh, 4, 1, 1, 1).empty() && message.value(msh, 4, 1, 2, 1).empty() ? 3 : 4;
  return sender_uri(message.value(msh, field, 1, 1, 1), message.value(msh, field, 1, 2, 1));
}

std::string identity_criteria(const Node& resource, std::string_view path) {
  auto ids = identifiers_at(resource, path);
  return ids.empty() ? std::string() : std::string(path) + "=" + identifier_token(*ids.front());
}

std::string matching_criteria(const Node& resource, std::string_view path) {
  std::string tokens;
  size_t used = 0;
  // An identifier an authority assigns finds the record wherever it came from; one without
  // (scoped by its sender: make_transaction) only when there is no other.
  bool assigned = has_assigned_identifier(resource, path);
  for (const Node* id : identifiers_at(resource, path)) {
    if (finds_no_record(*id) || (assigned && id->text_of("system").empty())) continue;
    if (++used > 20) break;  // a record is found by any of them: the first twenty are plenty
    tokens += (tokens.empty() ? "" : ",") + identifier_token(*id);
  }
  return tokens.empty() ? identity_criteria(resource, path) : std::string(path) + "=" + tokens;
}

bool has_assigned_identifier(const Node& resource, std::string_view path) {
  for (const Node* id : identifiers_at(resource, path))
    if (!id->text_of("system").empty() && !finds_no_record(*id)) return true;
  return false;
}

std::string sender_uri(const std::string& namespace_id, const std::string& universal_id) {
  // An OID-shaped universal ID is an OID, as an assigning authority's is (authority_system).
  if (is_oid(universal_id)) return "urn:oid:" + universal_id;
  const std::string& name = namespace_id.empty() ? universal_id : namespace_id;
  return name.empty() ? std::string() : "urn:carebridge:v2:sender:" + uri_safe(name);
}

namespace {

// Keeps a record found only by identifiers no authority assigns to its sender (see
// make_transaction): its meta.source, and criteria that find only the sender's records.
void scope_to_sender(Node& resource, std::string_view path, const std::string& source, std::string& criteria,
                     std::string& matching) {
  if (source.empty() || criteria.empty() || has_assigned_identifier(resource, path)) return;
  Node* meta = resource.member("meta");
  if (!meta) {
    resource.children.insert(resource.children.begin() + 1, Node::object());
    resource.children[1].name = "meta";
    meta = &resource.children[1];
  }
  meta->set("source", Node::string(source));
  std::string scope = "&_source=" + engine::token_criteria({}, source);
  criteria += scope;
  matching += scope;
}

}  // namespace

void make_transaction(std::vector<Made>& all, MappedMessage& out, const std::string& source) {
  Node bundle;
  bundle.set("resourceType", Node::string("Bundle"));
  bundle.set("type", Node::string("transaction"));
  std::unordered_map<std::string, std::string> seen;  // request → fullUrl: one entry per record
  std::unordered_map<std::string, std::string> replaced;
  Node entries;
  entries.kind = Node::Kind::Array;
  for (Made& made : all) {
    if (made.resource.children.size() <= 1) continue;  // nothing but resourceType
    std::string id = engine::name_uuid(made.key);
    std::string path = made.map && !made.map->identity.empty()              ? made.map->identity
                       : made.shared && made.write == WriteMode::Create ? std::string("identifier")
                                                                        : std::string();
    // The record is found by any of its identifiers (a lab's id before the hospital's MRN);
    // one entry per record by the first.
    std::string criteria = path.empty() ? std::string() : identity_criteria(made.resource, path);
    std::string matching = criteria.empty() ? std::string() : matching_criteria(made.resource, path);
    scope_to_sender(made.resource, path, source, criteria, matching);
    Node request;
    std::string request_key;
    if (!criteria.empty() && made.write == WriteMode::Update) {
      request.set("method", Node::string("PUT"));
      request.set("url", Node::string(made.type + "?" + matching));
      request_key = "PUT " + made.type + "?" + criteria;
    } else if (!criteria.empty() && made.write == WriteMode::Create) {
      request.set("method", Node::string("POST"));
      request.set("url", Node::string(made.type));
      request.set("ifNoneExist", Node::string(matching));
      request_key = "POST " + made.type + "?" + criteria;
    } else {
      made.resource.children.insert(made.resource.children.begin() + 1, Node::string(id));
      made.resource.children[1].name = "id";
      request.set("method", Node::string("PUT"));
      request.set("url", Node::string(made.type + "/" + id));
      request_key = "PUT " + made.type + "/" + id;
    }
    auto [at, added] = seen.emplace(request_key, made.full_url);
    if (made.merges && request.member("url")->text.find('?') != std::string::npos) {
      auto& cleared = out.updates[at->second];
      cleared.insert(cleared.end(), made.cleared.begin(), made.cleared.end());
    }
    if (!added) {
      replaced[made.full_url] = at->second;
      continue;
    }
    Node entry;
    entry.set("fullUrl", Node::string(made.full_url));
    entry.set("resource", std::move(made.resource));
    entry.set("request", std::move(request));
    entries.children.push_back(std::move(entry));
  }
  if (!replaced.empty()) {
    std::function<void(Node&)> rewrite = [&](Node& n) {
      if (n.name == "reference" && n.is_value()) {
        auto hit = replaced.find(n.text);
        if (hit != replaced.end()) n.text = hit->second;
      }
      for (Node& c : n.children) rewrite(c);
    };
    rewrite(entries);
    for (Node& entry : entries.children) drop_self_links(entry);
  }
  out.resources = entries.children.size();
  entries.name = "entry";
  bundle.children.push_back(std::move(entries));
  out.tree = std::move(bundle);
}

}  // namespace carebridge::mappings::hl7v2
