// FHIRPath Patch as JSON Patch operations on the resource's JSON (fhirpath_patch.h).
#include "gateway/rest/fhirpath_patch.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rapidjson/pointer.h>

#include "fhir/fhirpath/ast.h"
#include "fhir/json/json_reader.h"
#include "fhir/model/builder.h"

namespace carebridge::gateway::rest {
namespace {

using fhir::model::Element;
using Value = rapidjson::Value;

constexpr size_t kMaxPathBytes = 4096;

// One "operation" parameter's parts (R4 fhirpatch.html: type, path, name, value, index,
// source, destination); `value` is the part that carries value[x] or parts of its own.
struct Operation {
  std::string type, path, name;
  const Value* value = nullptr;
  std::optional<long> index, source, destination;
};

std::string_view text_of(const Value& v) { return v.IsString() ? std::string_view(v.GetString(), v.GetStringLength()) : ""; }


// The member of a parameter or part that holds its value[x] ("valueString"), or null.
const rapidjson::GenericMember<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>* value_member(const Value& part) {
  if (!part.IsObject()) return nullptr;  // a part that is no object (a string, a number) has none
  for (auto m = part.MemberBegin(); m != part.MemberEnd(); ++m) {
    std::string_view key(m->name.GetString(), m->name.GetStringLength());
    if (key.size() > 5 && key.starts_with("value") && key[5] >= 'A' && key[5] <= 'Z') return &*m;
  }
  return nullptr;
}

// An integer part (valueInteger), kept by parse_json_keeping_numbers as its text.
std::optional<long> integer_of(const Value& part) {
  const auto* m = value_member(part);
  if (!m) return std::nullopt;
  std::string_view text = text_of(m->value);
  if (!text.empty() && text.front() == '\x01') text.remove_prefix(1);  // the mark of a number kept as text
  long n = 0;
  size_t used = 0;
  for (; used < text.size() && used < 9 && text[used] >= '0' && text[used] <= '9'; ++used) n = n * 10 + (text[used] - '0');
  if (used == 0 || used != text.size()) return std::nullopt;
  return n;
}

std::optional<Operation> read_operation(const Value& parameter, std::string& error) {
  Operation op;
  const Value* parts = json_member(parameter, "part");
  if (!parts || !parts->IsArray()) {
    error = "an operation has no parts";
    return std::nullopt;
  }
  for (const Value& part : parts->GetArray()) {
    if (!part.IsObject()) continue;
    std::string_view name = json_text(part, "name");
    const auto* v = value_member(part);
    if (name == "value") op.value = &part;
    else if (name == "index") op.index = integer_of(part);
    else if (name == "source") op.source = integer_of(part);
    else if (name == "destination") op.destination = integer_of(part);
    else if (v && (name == "type" || name == "path" || name == "name"))
      (name == "type" ? op.type : name == "path" ? op.path : op.name) = std::string(text_of(v->value));
  }
  if (op.type.empty() || op.path.empty()) error = "an operation needs a type and a path";
  // Each path is compiled and kept: a long one would hold much more than its text.
  if (op.path.size() > kMaxPathBytes) error = "a path is longer than " + std::to_string(kMaxPathBytes) + " characters";
  return error.empty() ? std::optional<Operation>(std::move(op)) : std::nullopt;
}

// `v` as a list of itself, unless it is one.
void make_list(Value& v, rapidjson::Document::AllocatorType& a) {
  if (v.IsArray()) return;
  Value list(rapidjson::kArrayType);
  list.PushBack(v, a);
  v = list;
}

// Primitive parts' ids and extensions ("_valueString" beside a part's valueString) as the
// twins of `object`'s members: "_family", or a "_given" list with null where an item has none.
void add_twins(Value& object, const std::unordered_map<std::string, std::vector<const Value*>>& twins,
               rapidjson::Document::AllocatorType& a) {
  std::vector<std::string> names;  // in the members' order, so the JSON is written the same each time
  for (auto m = object.MemberBegin(); m != object.MemberEnd(); ++m) names.emplace_back(m->name.GetString(), m->name.GetStringLength());
  for (const std::string& key : names) {
    auto found = twins.find(key);
    if (found == twins.end()) continue;
    const auto& items = found->second;
    if (std::none_of(items.begin(), items.end(), [](const Value* t) { return t && t->IsObject(); })) continue;
    Value twin(rapidjson::kArrayType);
    for (const Value* t : items) twin.PushBack(t && t->IsObject() ? Value(*t, a) : Value(), a);
    if (items.size() == 1) twin = Value(twin[0], a);
    std::string name = "_" + key;
    object.AddMember(Value(name.c_str(), static_cast<rapidjson::SizeType>(name.size()), a), twin, a);
  }
}

// The JSON a "value" part stands for: its value[x]'s JSON, or an object of its parts (a part
// named twice, or naming an element that repeats, is a list). `type` gets value[x]'s type.
// A part with a value[x] is a member named with that type too ("value:String"), which may
// name a choice: Patcher::shape_members names it as JSON does ("valueString").
Value value_json(const Value& part, rapidjson::Document::AllocatorType& a, std::string& type) {
  if (const auto* m = value_member(part)) {
    type = std::string(m->name.GetString() + 5, m->name.GetStringLength() - 5);
    return Value(m->value, a);
  }
  if (const Value* resource = json_member(part, "resource")) return Value(*resource, a);  // a contained resource
  Value object(rapidjson::kObjectType);
  const Value* parts = json_member(part, "part");
  if (!parts || !parts->IsArray()) return object;
  std::unordered_map<std::string, rapidjson::SizeType> at;  // a name's member (a linear find per part was quadratic)
  std::unordered_map<std::string, std::vector<const Value*>> twins;  // a name's items' ids and extensions, in order
  for (const Value& sub : parts->GetArray()) {
    std::string key(json_text(sub, "name")), sub_type;
    if (key.empty()) continue;
    Value item = value_json(sub, a, sub_type);
    if (!sub_type.empty()) key += ":" + sub_type;
    twins[key].push_back(sub_type.empty() ? nullptr : json_member(sub, ("_value" + sub_type).c_str()));
    auto [found, fresh] = at.try_emplace(key, object.MemberCount());
    if (fresh) {
      object.AddMember(Value(key.c_str(), static_cast<rapidjson::SizeType>(key.size()), a), item, a);
      continue;
    }
    Value& existing = (object.MemberBegin() + found->second)->value;
    make_list(existing, a);
    existing.PushBack(item, a);
  }
  add_twins(object, twins, a);
  return object;
}

// Whether what `node` yields may be reached through resolve(): another resource, or a contained
// one reached from its reference, which a patch does not cross into. Filters (where(),
// exists()) may resolve: their arguments choose among items, they are not where the items are.
bool crosses_resolve(const fhir::fhirpath::Node& node) {
  using fhir::fhirpath::NodeKind;
  static constexpr std::string_view kYielding[] = {"select", "repeat", "repeatAll", "iif", "union", "combine", "coalesce", "aggregate"};
  if (node.kind == NodeKind::Function && node.name == "resolve") return true;
  if (node.focus && crosses_resolve(*node.focus)) return true;
  bool yields_args = node.kind == NodeKind::Binary || node.kind == NodeKind::TypeTest || node.kind == NodeKind::Indexer ||
                     (node.kind == NodeKind::Function && std::find(std::begin(kYielding), std::end(kYielding), node.name) != std::end(kYielding));
  if (!yields_args) return false;
  for (const auto& arg : node.args)
    if (arg && crosses_resolve(*arg)) return true;
  return false;
}

// Why `items` (what an insert's or a move's path finds) are not one whole list, in order, or
// "": index, source and destination count in it (a where() that finds part of the list would
// have them count in the part, and move items it did not find).
std::string not_a_list(const std::vector<const Element*>& items) {
  if (items.empty()) return "the path finds no list (add makes one)";
  for (const Element* e : items)
    if (e->parent != items[0]->parent || e->name != items[0]->name) return "the path finds elements of more than one list";
  size_t k = 0;
  for (const Element* c = items[0]->parent ? items[0]->parent->first_child : nullptr; c; c = c->next)
    if (c->name == items[0]->name && (k >= items.size() || items[k++] != c)) return "the path finds part of a list, not the list";
  return k == items.size() ? "" : "the path finds part of a list, not the list";
}

// The JSON Pointer of `element` in `json`, the resource it was read from: each step's
// member, and its place among the siblings of its name where the member is a list.
std::optional<std::string> pointer_to(const Element& element, const Value& json) {
  std::vector<const Element*> chain;
  for (const Element* e = &element; e->parent; e = e->parent) chain.push_back(e);
  std::reverse(chain.begin(), chain.end());
  std::string pointer;
  const Value* at = &json;
  for (size_t k = 0; k < chain.size(); ++k) {
    const Element* e = chain[k];
    if (!at->IsObject()) return std::nullopt;
    // A primitive's id and extensions are in its twin ("_birthDate"), which may be all it has.
    std::string name = (e->is_primitive() && k + 1 < chain.size() ? "_" : "") + std::string(e->name);
    auto member = at->FindMember(Value(name.c_str(), static_cast<rapidjson::SizeType>(name.size())));
    if (member == at->MemberEnd() && e->is_primitive() && name.front() != '_') {
      name.insert(0, "_");
      member = at->FindMember(Value(name.c_str(), static_cast<rapidjson::SizeType>(name.size())));
    }
    if (member == at->MemberEnd()) return std::nullopt;
    pointer += "/" + name;
    at = &member->value;
    if (!at->IsArray()) continue;
    size_t index = 0;
    for (const Element* s = e->parent->first_child; s && s != e; s = s->next) index += s->name == e->name;
    if (index >= at->Size()) return std::nullopt;
    pointer += "/" + std::to_string(index);
    at = &(*at)[static_cast<rapidjson::SizeType>(index)];
  }
  return pointer;
}

// A JSON Patch of one operation: op, path, then `from` or `value` when given.
rapidjson::Document json_patch(std::string_view op, const std::string& path, const std::string* from, Value* value) {
  rapidjson::Document patch(rapidjson::kArrayType);
  auto& a = patch.GetAllocator();
  Value step(rapidjson::kObjectType);
  step.AddMember("op", Value(op.data(), static_cast<rapidjson::SizeType>(op.size()), a), a);
  step.AddMember("path", Value(path.c_str(), a), a);
  if (from) step.AddMember("from", Value(from->c_str(), a), a);
  if (value) step.AddMember("value", Value(*value, a), a);
  patch.PushBack(step, a);
  return patch;
}

// The pointer of a primitive's twin, which holds its id and extensions: "/name/0/given/1" is
// "/name/0/_given/1", "/birthDate" "/_birthDate" (FHIR JSON: a primitive's "_name" member).
std::string twin_of(const std::string& pointer, bool in_list) {
  size_t cut = pointer.rfind('/');
  if (in_list && cut != std::string::npos) cut = pointer.rfind('/', cut - 1);
  return pointer.substr(0, cut + 1) + "_" + pointer.substr(cut + 1);
}

// Leaves no empty object, no empty list and no twin list of nulls below `v`, as FHIR JSON
// allows none: deleting the last item of a list deletes the list, and an object left with
// nothing goes too. Twin lists ("_given") keep their places: an item left empty is null.
void prune(Value& v) {
  auto empty = [](const Value& x, bool twin) {
    if (x.IsObject()) return x.MemberCount() == 0;
    if (!x.IsArray()) return false;
    for (const Value& item : x.GetArray())
      if (!item.IsNull() || !twin) return false;
    return true;
  };
  if (v.IsArray()) {
    for (Value& item : v.GetArray()) prune(item);
    return;
  }
  if (!v.IsObject()) return;
  for (auto m = v.MemberBegin(); m != v.MemberEnd();) {
    prune(m->value);
    bool twin = m->name.GetStringLength() > 1 && m->name.GetString()[0] == '_';
    if (m->value.IsArray()) {
      Value& list = m->value;
      for (auto item = list.Begin(); item != list.End();) {
        bool hollow = item->IsObject() && item->MemberCount() == 0;
        if (hollow && twin) item->SetNull();  // a twin's place is kept, with nothing
        item = hollow && !twin ? list.Erase(item) : item + 1;
      }
    }
    m = empty(m->value, twin) ? v.EraseMember(m) : m + 1;
  }
}

class Patcher {
 public:
  Patcher(rapidjson::Document& target, const fhir::fhirpath::Engine& engine, const PatchLimits& limits)
      : target_(target), engine_(engine), limits_(limits) {}

  // Applies one operation; "" when done, else why not.
  std::string apply(const Operation& op);

 private:
  std::string add(const Operation& op, const Element& parent, Value& value, const std::string& type);
  std::string remove(const Element& element, const std::string& pointer);
  std::string replace(const Element& element, const std::string& pointer, Value& value, const std::string& type);
  // The same change to a primitive list's twin ("_given"), when the resource has one.
  void change_twin(const std::string& list, std::string_view op, const std::string& path, const std::string* from);
  // A value made of parts as the definitions shape it: where `value` becomes the property
  // `name` of `parent`, each member that repeats is a list (parts do not say).
  void shape(const Element& parent, std::string_view name, Value& value, rapidjson::Document::AllocatorType& a);
  void shape_members(Element& holder, Value& object, rapidjson::Document::AllocatorType& a);
  // A member value_json named with its value's type ("value:String"): the choice's JSON name
  // where the holder has one ("valueString"), else the name the part gave ("family").
  static void member_name(const fhir::model::TreeBuilder& tree, const Element& holder, Value& name, rapidjson::Document::AllocatorType& a);
  // Takes the types off the names of a value no definition shapes (value_json's "family:String").
  static void plain_names(Value& value, rapidjson::Document::AllocatorType& a);
  std::string list_change(const Operation& op, const std::vector<const Element*>& items, Value* value);
  // The pointer of the object that holds a primitive's id and extensions (its twin), made
  // when absent ("_birthDate": {}, or a "_given" list of nulls with {} at its place).
  std::optional<std::string> twin_holder(const std::string& pointer, bool in_list);
  // Gives the primitive just placed at `pointer` the id and extensions its value came with
  // (the value part's "_valueString"), which replace those it had.
  void place_twin(const std::string& pointer, bool in_list);

  rapidjson::Document& target_;
  const fhir::fhirpath::Engine& engine_;
  const PatchLimits& limits_;
  fhir::model::ParseResult read_;  // the resource as the operations so far left it
  rapidjson::Document::AllocatorType* scratch_ = nullptr;  // the operation's value's
  Value twin_;  // the operation's primitive value's id and extensions, or null
  static constexpr size_t kReadBudget = size_t{256} << 20;
  size_t read_bytes_ = 0;
};

std::string Patcher::apply(const Operation& op) {
  std::string text = write_json_keeping_numbers(target_);
  // Each operation reads the resource again: many operations on a large resource are bounded.
  read_bytes_ += text.size();
  if (read_bytes_ > kReadBudget) return "the operations read the resource more than " + std::to_string(kReadBudget >> 20) + " MB in all: send fewer";
  read_ = fhir::json::read(text, engine_.definitions());
  if (!read_.document || !read_.document->root()) return "the resource cannot be read";
  std::string error;
  auto expression = engine_.compile(op.path, &error);
  if (!expression) return "the path is not FHIRPath: " + error;
  if (crosses_resolve(expression->root())) return "the path crosses resolve() into another resource: a patch changes one resource";
  auto found = engine_.evaluate(*expression, *read_.document->root());
  if (!found.ok) return "the path is not FHIRPath: " + found.error;
  std::vector<const Element*> items;
  for (const auto& item : found.items) {
    if (!item.element) return "the path gives a value, not an element of the resource";
    items.push_back(item.element);
  }
  if (op.type == "insert" || op.type == "move")  // before shaping adds to the list
    if (std::string why = not_a_list(items); !why.empty()) return why;
  rapidjson::Document scratch;
  std::string type;
  Value value;
  if (op.value) value = value_json(*op.value, scratch.GetAllocator(), type);
  const Value* twin = op.value && !type.empty() ? json_member(*op.value, ("_value" + type).c_str()) : nullptr;
  twin_ = twin && twin->IsObject() ? Value(*twin, scratch.GetAllocator()) : Value();
  // A value made of parts is shaped where it goes (add: once the property is known).
  if (op.value && type.empty() && op.type != "add" && !items.empty() && items[0]->parent)
    shape(*items[0]->parent, items[0]->name, value, scratch.GetAllocator());
  scratch_ = &scratch.GetAllocator();
  if ((op.type == "add" || op.type == "insert" || op.type == "replace") && !op.value) return op.type + " needs a value";
  if (op.type == "insert" || op.type == "move") return list_change(op, items, op.value ? &value : nullptr);
  if (op.type == "delete" && items.empty()) return {};  // "the element to delete (if found)"
  if (items.size() != 1) return "the path finds " + std::to_string(items.size()) + " elements, not one";
  auto pointer = pointer_to(*items[0], target_);
  if (!pointer) return "the element the path finds has no place in the resource's JSON";
  if (pointer->empty() && op.type != "add") return "the path finds the resource itself: a patch changes its elements";
  if (op.type == "add") return add(op, *items[0], value, type);
  if (op.type == "delete") return remove(*items[0], *pointer);
  if (op.type == "replace") return replace(*items[0], *pointer, value, type);
  return "the type '" + op.type + "' is not add, insert, delete, replace or move";
}

// add: `value` becomes the property `name` of `parent`, appended to its list when it repeats;
// a choice named without its type ("value") takes value[x]'s ("valueQuantity").
std::string Patcher::add(const Operation& op, const Element& parent, Value& value, const std::string& type) {
  if (op.name.empty()) return "add needs the name of the property to add";
  std::vector<fhir::model::Issue> issues;
  fhir::model::TreeBuilder tree(*read_.document, engine_.definitions(), issues);
  std::string name = op.name;
  auto property = tree.property(parent, name);
  if (!property && !type.empty()) property = tree.property(parent, name = op.name + type);
  if (!property) return "'" + op.name + "' is not a property of " + std::string(parent.type);
  std::optional<std::string> holder = pointer_to(parent, target_);
  if (holder && parent.is_primitive()) holder = twin_holder(*holder, parent.repeats());
  if (!holder) return "the element the path finds has no place in the resource's JSON";
  std::string at = *holder + "/" + name;
  bool repeats = property->definition && property->definition->repeats;
  const Element* existing = nullptr;  // the property as it is, whichever type a choice has
  for (const Element* c = parent.first_child; c; c = c->next)
    if (c->name == name || c->base_name() == op.name) existing = c;
  if (!repeats && existing) return "'" + name + "' is there already and does not repeat: replace it";
  if (type.empty()) shape(parent, name, value, *scratch_);
  rapidjson::Document list(rapidjson::kArrayType);
  if (repeats && !existing) list.PushBack(Value(value, list.GetAllocator()), list.GetAllocator());
  Value& added = repeats && !existing ? static_cast<Value&>(list) : value;
  std::string error = apply_json_patch(target_, json_patch("add", repeats && existing ? at + "/-" : at, nullptr, &added), limits_);
  if (error.empty() && repeats && existing && existing->is_primitive()) change_twin(at, "add", at + "/-", nullptr);  // its place, with nothing
  const Value* list_now = repeats ? rapidjson::Pointer(at.c_str()).Get(target_) : nullptr;
  if (error.empty()) place_twin(list_now && list_now->IsArray() ? at + "/" + std::to_string(list_now->Size() - 1) : at, repeats);
  return error;
}

void Patcher::place_twin(const std::string& pointer, bool in_list) {
  if (!twin_.IsObject()) return;
  // A copy in the resource's own memory: twin_ lives in the operation's, freed when it ends.
  if (auto holder = twin_holder(pointer, in_list)) {
    Value copy(twin_, target_.GetAllocator());
    rapidjson::Pointer(holder->c_str()).Set(target_, copy, target_.GetAllocator());
  }
}

std::optional<std::string> Patcher::twin_holder(const std::string& pointer, bool in_list) {
  size_t cut = pointer.rfind('/');
  if (in_list && cut != std::string::npos && cut > 0) cut = pointer.rfind('/', cut - 1);
  if (pointer.compare(cut + 1, 1, "_") == 0) return pointer;  // a primitive with only its twin
  std::string twin = twin_of(pointer, in_list);
  if (const Value* there = rapidjson::Pointer(twin.c_str()).Get(target_); there && there->IsObject()) return twin;
  auto& a = target_.GetAllocator();
  if (!in_list) {
    rapidjson::Pointer(twin.c_str()).Set(target_, Value(rapidjson::kObjectType), a);
    return twin;
  }
  std::string list = pointer.substr(0, pointer.rfind('/')), twin_list = twin.substr(0, twin.rfind('/'));
  Value* twins = rapidjson::Pointer(twin_list.c_str()).Get(target_);
  if (!twins || !twins->IsArray()) {
    twins = &rapidjson::Pointer(twin_list.c_str()).Set(target_, Value(rapidjson::kArrayType), a);
  }
  // The list is looked up after its twin is made beside it (adding a member may move the others).
  const Value* items = rapidjson::Pointer(list.c_str()).Get(target_);
  if (!items || !items->IsArray()) return std::nullopt;
  while (twins->Size() < items->Size()) twins->PushBack(Value(), a);
  rapidjson::Pointer(twin.c_str()).Set(target_, Value(rapidjson::kObjectType), a);
  return twin;
}

void Patcher::shape(const Element& parent, std::string_view name, Value& value, rapidjson::Document::AllocatorType& a) {
  std::vector<fhir::model::Issue> issues;
  fhir::model::TreeBuilder tree(*read_.document, engine_.definitions(), issues);
  auto property = tree.property(parent, name);
  if (!property || !value.IsObject()) return plain_names(value, a);
  // A child made in the operation's own copy of the resource, read again before the next.
  Element* slot = tree.add(const_cast<Element&>(parent), name, *property, {});
  if (slot) shape_members(*slot, value, a);
}

void Patcher::shape_members(Element& holder, Value& object, rapidjson::Document::AllocatorType& a) {
  std::vector<fhir::model::Issue> issues;
  fhir::model::TreeBuilder tree(*read_.document, engine_.definitions(), issues);
  for (auto m = object.MemberBegin(); m != object.MemberEnd(); ++m) {
    member_name(tree, holder, m->name, a);
    std::string_view name(m->name.GetString(), m->name.GetStringLength());  // the tree's names are views
    bool twin = name.starts_with('_');  // a primitive's ids and extensions: a list where it repeats, no more shaping
    auto property = tree.property(holder, twin ? name.substr(1) : name);
    if (twin && property && property->definition && property->definition->repeats) make_list(m->value, a);
    if (twin) continue;
    if (!property) {
      plain_names(m->value, a);
      continue;
    }
    if (property->definition && property->definition->repeats) make_list(m->value, a);
    auto shape_item = [&](Value& item) {
      Element* child = item.IsObject() ? tree.add(holder, name, *property, {}) : nullptr;
      if (child) shape_members(*child, item, a);
    };
    if (!m->value.IsArray()) shape_item(m->value);
    else for (Value& item : m->value.GetArray()) shape_item(item);
  }
}

void Patcher::member_name(const fhir::model::TreeBuilder& tree, const Element& holder, Value& name,
                          rapidjson::Document::AllocatorType& a) {
  std::string text(name.GetString(), name.GetStringLength());
  size_t colon = text.find(':'), twin = text.starts_with('_');
  if (colon == std::string::npos) return;
  std::string base = text.substr(twin, colon - twin), typed = base + text.substr(colon + 1);
  std::string chosen = (twin ? "_" : "") + (!tree.property(holder, base) && tree.property(holder, typed) ? typed : base);
  name.SetString(chosen.c_str(), static_cast<rapidjson::SizeType>(chosen.size()), a);
}

void Patcher::plain_names(Value& value, rapidjson::Document::AllocatorType& a) {
  if (value.IsArray())
    for (Value& item : value.GetArray()) plain_names(item, a);
  if (!value.IsObject()) return;
  for (auto m = value.MemberBegin(); m != value.MemberEnd(); ++m) {
    std::string_view text(m->name.GetString(), m->name.GetStringLength());
    if (size_t colon = text.find(':'); colon != std::string_view::npos) m->name.SetString(text.data(), static_cast<rapidjson::SizeType>(colon), a);
    plain_names(m->value, a);
  }
}

// delete: the element, and a primitive's twin with its extensions; then what is left empty.
std::string Patcher::remove(const Element& element, const std::string& pointer) {
  std::string error = apply_json_patch(target_, json_patch("remove", pointer, nullptr, nullptr), limits_);
  if (!error.empty()) return error;
  std::string twin = twin_of(pointer, element.repeats());
  if (element.is_primitive() && rapidjson::Pointer(twin.c_str()).Get(target_))
    error = apply_json_patch(target_, json_patch("remove", twin, nullptr, nullptr), limits_);
  prune(target_);
  return error;
}

// replace: the element's value; a choice given a value of another type is renamed for it
// (valueQuantity replaced by a valueString is valueString), and a primitive that had only
// its twin gets its value beside it.
std::string Patcher::replace(const Element& element, const std::string& pointer, Value& value, const std::string& type) {
  size_t cut = pointer.rfind('/');
  std::string member = pointer.substr(cut + 1);
  bool twin_only = member.starts_with("_") && element.is_primitive();
  bool choice = element.definition && element.definition->is_choice && !type.empty();
  std::string wanted = choice ? std::string(element.base_name()) + type : twin_only ? member.substr(1) : member;
  std::string placed = pointer.substr(0, cut + 1) + wanted, error;
  if (wanted == member) {
    error = apply_json_patch(target_, json_patch("replace", pointer, nullptr, &value), limits_);
  } else {
    if (!twin_only) error = apply_json_patch(target_, json_patch("remove", pointer, nullptr, nullptr), limits_);
    if (error.empty()) error = apply_json_patch(target_, json_patch("add", placed, nullptr, &value), limits_);
    // A retyped choice keeps its id and extensions ("_valueString" becomes "_valueBoolean"), unless it is no primitive now.
    std::string old_twin = twin_of(pointer, false), new_twin = twin_of(placed, false);
    if (error.empty() && !twin_only && element.is_primitive() && rapidjson::Pointer(old_twin.c_str()).Get(target_))
      error = apply_json_patch(target_, value.IsObject() ? json_patch("remove", old_twin, nullptr, nullptr) : json_patch("move", new_twin, &old_twin, nullptr), limits_);
  }
  if (error.empty()) place_twin(placed, element.repeats());
  return error;
}

void Patcher::change_twin(const std::string& list, std::string_view op, const std::string& path, const std::string* from) {
  std::string twin = twin_of(list, false);
  if (!rapidjson::Pointer(twin.c_str()).Get(target_)) return;
  Value null_item;
  std::string twin_from = from ? twin + from->substr(list.size()) : std::string();
  apply_json_patch(target_, json_patch(op, twin + path.substr(list.size()), from ? &twin_from : nullptr, from ? nullptr : &null_item), limits_);
}

// insert and move: `items` are the list the path finds (one parent, one name).
std::string Patcher::list_change(const Operation& op, const std::vector<const Element*>& items, Value* value) {
  auto first = pointer_to(*items[0], target_);
  if (!first || !items[0]->repeats()) return "the path does not find a list";
  std::string list = first->substr(0, first->rfind('/'));
  auto count = static_cast<long>(items.size());
  if (op.type == "insert") {
    if (!op.index || *op.index > count) return "insert needs an index from 0 to " + std::to_string(count);
    std::string at = list + "/" + std::to_string(*op.index);
    std::string error = apply_json_patch(target_, json_patch("add", at, nullptr, value), limits_);
    if (error.empty() && items[0]->is_primitive()) change_twin(list, "add", at, nullptr);  // its place, with nothing
    if (error.empty()) place_twin(at, true);
    return error;
  }
  if (!op.source || !op.destination || *op.source >= count || *op.destination >= count)
    return "move needs a source and a destination below " + std::to_string(count);
  std::string from = list + "/" + std::to_string(*op.source), to = list + "/" + std::to_string(*op.destination);
  std::string error = apply_json_patch(target_, json_patch("move", to, &from, nullptr), limits_);
  if (error.empty() && items[0]->is_primitive()) change_twin(list, "move", to, &from);  // the extensions move along
  return error;
}

}  // namespace

std::string apply_fhirpath_patch(rapidjson::Document& target, const Value& parameters, const fhir::fhirpath::Engine& engine,
                                 const PatchLimits& limits) {
  if (json_text(parameters, "resourceType") != "Parameters") return "a FHIRPath Patch is a Parameters resource";
  const Value* list = json_member(parameters, "parameter");
  if (!list || !list->IsArray()) return "the Parameters hold no operation";
  Patcher patcher(target, engine, limits);
  size_t n = 0;
  for (const Value& parameter : list->GetArray()) {
    ++n;
    if (n > limits.max_operations) return "more than " + std::to_string(limits.max_operations) + " operations";
    if (json_text(parameter, "name") != "operation") return "parameter " + std::to_string(n) + " is not an operation";
    std::string error;
    auto op = read_operation(parameter, error);
    if (op) error = patcher.apply(*op);
    if (!error.empty())
      return "operation " + std::to_string(n) + (op ? " (" + op->type + " " + op->path + ")" : "") + ": " + error;
  }
  return {};
}

}  // namespace carebridge::gateway::rest
