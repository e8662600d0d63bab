// Fragment targets ("#x") inside a resource, as the reference validator counts them:
// element and resource ids anywhere in the resource (contained resources included),
// id attributes in its narratives, and <a name="x"> anchors. Built once per resource
// (or Bundle) the first time a "#x" link needs it, so links stay linear in the input.
#include <memory_resource>

#include "fhir/validation/run.h"
#include "fhir/xml/xml_tree.h"

namespace carebridge::fhir::validation {
namespace {

void add_xhtml(const xml::XmlNode& node, FragmentIndex& index) {
  if (const auto* id = node.attribute("id")) ++index.xhtml_ids[std::string(id->value)];
  if (node.local == "a") {
    if (const auto* name = node.attribute("name")) ++index.anchors[std::string(name->value)];
  }
  for (const xml::XmlNode* c = node.first; c; c = c->next) {
    if (!c->is_text) add_xhtml(*c, index);
  }
}

void add_element(const Element& node, FragmentIndex& index) {
  if (node.type == "xhtml" && node.has_value) {
    std::pmr::monotonic_buffer_resource arena(4096);
    xml::XmlParse parsed = xml::parse_xml(node.value, arena);
    if (parsed.root) add_xhtml(*parsed.root, index);
    return;
  }
  for (const Element* c : node.children()) {
    if (c->name == "id" && c->has_value) ++index.ids[std::string(c->value)];
    add_element(*c, index);
  }
}

int count(const std::unordered_map<std::string, int>& map, const std::string& key) {
  auto it = map.find(key);
  return it == map.end() ? 0 : it->second;
}

}  // namespace

int FragmentIndex::targets(const std::string& fragment, bool anchors_too) const {
  return count(ids, fragment) + count(xhtml_ids, fragment) + (anchors_too ? count(anchors, fragment) : 0);
}

const FragmentIndex& Run::fragments(const Element& root) {
  auto& slot = fragments_[&root];
  if (!slot) {
    slot = std::make_unique<FragmentIndex>();
    add_element(root, *slot);
  }
  return *slot;
}

int Run::link_targets(const Element* root, std::string_view fragment, bool anchors_too, bool whole_bundle) {
  std::string key(fragment);
  int found = root ? fragments(*root).targets(key, anchors_too) : 0;
  if (found == 0 && whole_bundle && frame.bundle && frame.bundle->bundle) {
    found = fragments(*frame.bundle->bundle).targets(key, anchors_too);
  }
  return found;
}

}  // namespace carebridge::fhir::validation
