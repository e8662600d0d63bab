#include "mappings/hl7v2/transaction.h"

#include <functional>
#include <unordered_map>

#include "mappings/engine/ids.h"
#include "mappings/hl7v2/resource_passes.h"

namespace carebridge::mappings::hl7v2 {

using engine::Node;

std::string identity_criteria(const Node& resource, std::string_view path) {
  const Node* ids = resource.member(path);
  if (!ids) return {};
  for (const Node& id : ids->is_array() ? ids->children : std::vector<Node>{*ids}) {
    std::string_view value = id.text_of("value");
    if (value.empty()) continue;
    std::string_view system = id.text_of("system");
    // A value sent without an authority is asked for as one without a system (`|value`):
    // a bare MRN or provider number must not find, or update, the record another
    // authority's identifier of the same value names, nor fail on finding several.
    return std::string(path) + "=" + (system.empty() ? "%7C" : "") + engine::token_criteria(system, value);
  }
  return {};
}

void make_transaction(std::vector<Made>& all, MappedMessage& out) {
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
    std::string criteria = made.map && !made.map->identity.empty() ? identity_criteria(made.resource, made.map->identity)
                           : made.shared && made.write == WriteMode::Create ? identity_criteria(made.resource, "identifier")
                                                                           : std::string();
    Node request;
    std::string request_key;
    if (!criteria.empty() && made.write == WriteMode::Update) {
      request.set("method", Node::string("PUT"));
      request.set("url", Node::string(made.type + "?" + criteria));
      request_key = "PUT " + made.type + "?" + criteria;
    } else if (!criteria.empty() && made.write == WriteMode::Create) {
      request.set("method", Node::string("POST"));
      request.set("url", Node::string(made.type));
      request.set("ifNoneExist", Node::string(criteria));
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
