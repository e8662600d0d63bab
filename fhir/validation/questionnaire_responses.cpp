// A QuestionnaireResponse against its Questionnaire, when that can be found (contained
// "#id", in the same Bundle by url, or in the loaded definitions and packages): at each
// level the items are the Questionnaire's, in its order, with its texts, a non-repeating
// item and its answer appear once, required items that are enabled are answered (when
// the response is completed or amended; a warning otherwise), items that are not enabled
// have no answers, answers have the value type of the item type (R4 table), are one of
// the item's answerOptions when it lists some (open-choice items take others too) and
// no longer than its maxLength and within the limits its extensions set
// (questionnaire_answer_limits.h), and display and group items take no answers.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <unordered_map>

#include "fhir/json/json_reader.h"
#include "fhir/json/json_writer.h"
#include "fhir/json/utf8.h"
#include "fhir/validation/questionnaire_answer_limits.h"
#include "fhir/validation/questionnaire_enable_when.h"
#include "fhir/validation/run.h"

namespace carebridge::fhir::validation {
namespace {

// The children of `node` named `name`, each with its path.
struct Named {
  const Element* element;
  Path path;
};
std::vector<Named> named(const Element& node, std::string_view name, const Path& path) {
  std::vector<Named> out;
  int i = 0;
  for (const Element* c : node.children()) {
    if (c->name == name) out.push_back({c, Path{&path, name, c->repeats() ? i++ : -1}});
  }
  return out;
}

const Element* value_child(const Element& node) {
  for (const Element* c : node.children()) {
    if (c->base_name() == "value") return c;
  }
  return nullptr;
}

bool is_true(const Element* node) { return value_of(node) == "true"; }

// The types answer.value[x] may have for an item type; empty when the item type is not
// one that takes answers (group, display) or is unknown.
std::vector<std::string_view> answer_types(std::string_view item_type) {
  if (item_type == "boolean" || item_type == "decimal" || item_type == "integer" || item_type == "date" ||
      item_type == "dateTime" || item_type == "time" || item_type == "string") {
    return {item_type};
  }
  if (item_type == "text") return {"string"};
  if (item_type == "url") return {"uri"};
  if (item_type == "attachment") return {"Attachment"};
  if (item_type == "reference") return {"Reference"};
  if (item_type == "quantity") return {"Quantity"};
  if (item_type == "choice" || item_type == "open-choice") return {"Coding", "date", "time", "integer", "string"};
  return {};
}

std::string joined(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

bool same_coding(const Element& a, const Element& b) {
  return value_of(child_named(a, "system")) == value_of(child_named(b, "system")) &&
         value_of(child_named(a, "code")) == value_of(child_named(b, "code"));
}

class ResponseCheck {
 public:
  ResponseCheck(Run& run, const Element& questionnaire, const Element& response, bool not_completed)
      : run_(run), questionnaire_(questionnaire), response_(response), not_completed_(not_completed) {
    collect_link_ids(questionnaire);
  }

  // The response items under `response` (the response, an item or an answer) against the
  // Questionnaire items under `definition` (the Questionnaire or an item).
  void items(const Element& definition, const Element& response, const Path& path) {
    std::vector<const Element*> defined;
    for (const Element* c : definition.children()) {
      if (c->name == "item") defined.push_back(c);
    }
    std::unordered_map<std::string_view, std::vector<Named>> given;
    size_t last = 0;
    for (Named& item : named(response, "item", path)) {
      std::string_view link_id = value_of(child_named(*item.element, "linkId"));
      if (link_id.empty()) continue;  // linkId is 1..1: reported by the structure pass
      auto at = std::find_if(defined.begin(), defined.end(),
                             [&](const Element* d) { return value_of(child_named(*d, "linkId")) == link_id; });
      if (at == defined.end()) {
        run_.report(Severity::Error, link_ids_.contains(link_id) ? "structure" : "not-found",
                    link_ids_.contains(link_id)
                        ? "the item '" + std::string(link_id) + "' is in the Questionnaire, but not at this level"
                        : "the item '" + std::string(link_id) + "' is not in the Questionnaire",
                    *item.element, item.path);
        continue;
      }
      size_t index = static_cast<size_t>(at - defined.begin());
      if (index < last) {
        run_.report(Severity::Error, "structure",
                    "the item '" + std::string(link_id) + "' is out of order: items follow the Questionnaire's order",
                    *item.element, item.path);
      }
      last = std::max(last, index);
      given[link_id].push_back(std::move(item));
    }
    for (const Element* d : defined) {
      std::string_view link_id = value_of(child_named(*d, "linkId"));
      auto it = given.find(link_id);
      if (it == given.end()) {
        if (required(*d)) missing(link_id, response, path);
        continue;
      }
      if (!enabled(*d)) not_enabled(link_id, it->second);
      if (it->second.size() > 1 && !is_true(child_named(*d, "repeats"))) {
        run_.report(Severity::Error, "structure",
                    "the item '" + std::string(link_id) + "' does not repeat, but the response has it " +
                        std::to_string(it->second.size()) + " times",
                    *it->second[1].element, it->second[1].path);
      }
      if (value_of(child_named(*d, "type")) == "group")
        check_max_occurs(run_, *d, it->second.size(), *it->second.back().element, it->second.back().path);
      for (const Named& item : it->second) this->item(*d, *item.element, item.path);
    }
  }

 private:
  void collect_link_ids(const Element& node) {
    for (const Element* c : node.children()) {
      if (c->name != "item") continue;
      if (auto id = value_of(child_named(*c, "linkId")); !id.empty()) link_ids_.emplace(id, c);
      collect_link_ids(*c);
    }
  }

  // Required, and not switched off by its enableWhen.
  bool required(const Element& definition) const {
    return is_true(child_named(definition, "required")) && enabled(definition);
  }

  bool enabled(const Element& definition) const {
    return item_enabled(definition, [&](std::string_view question) { return condition_answers(definition, question); });
  }

  // The answers a condition of `source` on `question` looks at, as the reference's
  // EnableWhenEvaluator finds them: in the nearest response instance of the innermost
  // Questionnaire item that holds both (a repeating group decides for each of its
  // instances), or in the whole response when no item holds both.
  std::vector<const Element*> condition_answers(const Element& source, std::string_view question) const {
    auto target = link_ids_.find(question);
    if (target == link_ids_.end()) return {};
    const Element* common = common_item(source, *target->second);
    if (!common) return answers_under(response_, question);
    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
      if (scope->first == common) return answers_under(*scope->second, question);
    }
    return {};
  }

  // The innermost Questionnaire item that is `a` or holds it and is `b` or holds it; null when
  // only the Questionnaire holds both.
  static const Element* common_item(const Element& a, const Element& b) {
    auto chain = [](const Element* item) {
      std::vector<const Element*> out;
      for (; item && item->name == "item"; item = item->parent) out.insert(out.begin(), item);
      return out;
    };
    auto ca = chain(&a), cb = chain(&b);
    const Element* common = nullptr;
    for (size_t i = 0; i < ca.size() && i < cb.size() && ca[i] == cb[i]; ++i) common = ca[i];
    return common;
  }

  void missing(std::string_view link_id, const Element& at, const Path& path) {
    run_.report(not_completed_ ? Severity::Warning : Severity::Error, "required",
                "the required item '" + std::string(link_id) + "' has no answer" +
                    (not_completed_ ? " (the response is not completed)" : ""),
                at, path);
  }

  // Answers (or nested items) given to an item its enableWhen switches off.
  void not_enabled(std::string_view link_id, const std::vector<Named>& given) {
    for (const Named& item : given) {
      if (!child_named(*item.element, "answer") && !child_named(*item.element, "item")) continue;
      run_.report(Severity::Error, "business-rule",
                  "the item '" + std::string(link_id) + "' has answers, but its enableWhen conditions do not enable it",
                  *item.element, item.path);
    }
  }

  // The text an item repeats, if any, is its Questionnaire item's. Forms filled in with a
  // reworded or translated question are common, so ingesting takes them with a warning.
  void text(const Element& definition, const Element& item, const Path& path) {
    const Element* given = child_named(item, "text");
    if (!given || value_of(given) == value_of(child_named(definition, "text"))) return;
    run_.report(run_.tolerable(), "value",
                "the item '" + std::string(value_of(child_named(definition, "linkId"))) + "' has the text '" +
                    std::string(value_of(given)) + "', but the Questionnaire's is '" +
                    std::string(value_of(child_named(definition, "text"))) + "'",
                *given, Path{&path, "text", -1});
  }

  void item(const Element& definition, const Element& item, const Path& path) {
    scopes_.emplace_back(&definition, &item);
    std::string_view link_id = value_of(child_named(definition, "linkId"));
    std::string_view type = value_of(child_named(definition, "type"));
    text(definition, item, path);
    auto answers = named(item, "answer", path);
    if (answers.empty() && required(definition) && type != "group" && type != "display") missing(link_id, item, path);
    if (answers.size() > 1 && !is_true(child_named(definition, "repeats"))) {
      run_.report(Severity::Error, "structure",
                  "the item '" + std::string(link_id) + "' does not repeat, so it takes only one answer",
                  *answers[1].element, answers[1].path);
    }
    if (type != "group" && !answers.empty()) check_max_occurs(run_, definition, answers.size(), *answers.back().element, answers.back().path);
    for (const Named& answer : answers) {
      if (type == "group" || type == "display") {
        run_.report(Severity::Error, "structure",
                    "the item '" + std::string(link_id) + "' is a " + std::string(type) + " item, which takes no answer",
                    *answer.element, answer.path);
        continue;
      }
      this->answer(definition, type, *answer.element, answer.path);
      items(definition, *answer.element, answer.path);
    }
    if (type == "group") {
      items(definition, item, path);
    } else if (!type.empty() && child_named(item, "item")) {
      run_.report(Severity::Error, "structure",
                  "the item '" + std::string(link_id) + "' is a " + std::string(type) +
                      " item: items inside it belong under its answers, not under the item",
                  item, path);
    }
    scopes_.pop_back();
  }

  void answer(const Element& definition, std::string_view type, const Element& answer, const Path& path) {
    const Element* value = value_child(answer);
    auto allowed = answer_types(type);
    if (!value || allowed.empty()) return;
    Path value_path{&path, value->name, -1};
    if (std::find(allowed.begin(), allowed.end(), value->type) == allowed.end()) {
      run_.report(Severity::Error, "structure",
                  "the item '" + std::string(value_of(child_named(definition, "linkId"))) + "' is of type " +
                      std::string(type) + ", so its answer is " + (allowed.size() > 1 ? "one of " : "a ") + joined(allowed) +
                      ", not a " + std::string(value->type),
                  *value, value_path);
      return;
    }
    if (type != "open-choice") option(definition, *value, value_path);
    if (value->type == "Coding") value_set_member(definition, *value, value_path);
    if (value->type == "string") max_length(definition, *value, value_path);
    check_answer_limits(run_, definition, *value, value_path);
  }

  // A Coding answer to an item with an answerValueSet is in that value set, whether the item
  // is a choice or an open-choice (the reference's validateAnswerCode). A value set that
  // cannot be found, or a code system that is not known, leaves the answer unchecked.
  void value_set_member(const Element& definition, const Element& value, const Path& path) {
    std::string_view url = value_of(child_named(definition, "answerValueSet"));
    std::string_view system = value_of(child_named(value, "system"));
    std::string_view code = value_of(child_named(value, "code"));
    if (url.empty() || code.empty()) return;
    const terminology::Terminology& tx = run_.state.terminology();
    std::optional<terminology::Expansion> contained;
    const terminology::Expansion* vs = nullptr;
    if (url.starts_with('#')) {
      const Element* resource = contained_resource(url.substr(1));
      if (!resource || resource->type != "ValueSet") return;
      auto expanded = tx.expand(json::write(*resource));
      if (!expanded) return;
      vs = &contained.emplace(std::move(*expanded));
    } else {
      vs = tx.expansion(url);
    }
    if (!vs || vs->contains(system, code) != terminology::Membership::not_in) return;
    if (!system.empty() && !vs->codes.contains(system) && !tx.code_system(system)) return;
    run_.report(Severity::Error, "code-invalid",
                "the answer '" + std::string(system) + "#" + std::string(code) + "' to the item '" +
                    std::string(value_of(child_named(definition, "linkId"))) + "' is not in its answerValueSet '" +
                    std::string(url) + "'",
                value, path);
  }

  // A "#id" of the Questionnaire: among its contained resources or, when it is itself
  // contained, beside it in its container.
  const Element* contained_resource(std::string_view id) const {
    for (const Element* holder = &questionnaire_; holder; holder = holder->name == "contained" ? holder->parent : nullptr) {
      for (const Element* c : holder->children()) {
        if (c->name == "contained" && value_of(child_named(*c, "id")) == id) return c;
      }
    }
    return nullptr;
  }

  void max_length(const Element& definition, const Element& value, const Path& path) {
    auto limit = std::strtoul(std::string(value_of(child_named(definition, "maxLength"))).c_str(), nullptr, 10);
    size_t characters = fhir::json::count_code_points(value.value);
    if (limit == 0 || characters <= limit) return;
    run_.report(Severity::Error, "value",
                "the answer to '" + std::string(value_of(child_named(definition, "linkId"))) + "' has " +
                    std::to_string(characters) + " characters; the item's maxLength is " + std::to_string(limit),
                value, path);
  }

  // An answer is one of the item's answerOptions (open-choice items take others too): when
  // the item lists options but none of the answer's type, no answer of that type can be one
  // (the reference's QUESTIONNAIRE_QR_ITEM_NOOPTIONS*). With an answerValueSet, or no options, it is let be.
  void option(const Element& definition, const Element& value, const Path& path) {
    if (child_named(definition, "answerValueSet")) return;
    bool listed = false;
    bool of_type = false;
    for (const Element* c : definition.children()) {
      if (c->name != "answerOption") continue;
      const Element* option = value_child(*c);
      if (!option) continue;
      listed = true;
      if (option->type != value.type) continue;
      of_type = true;
      if (value.type == "Coding" ? same_coding(*option, value) : option->value == value.value) return;
    }
    if (!listed) return;
    std::string link_id(value_of(child_named(definition, "linkId")));
    if (!of_type) {
      run_.report(Severity::Error, "structure",
                  "the item '" + link_id + "' lists answerOptions, but none of type " + std::string(value.type) +
                      ", so a " + std::string(value.type) + " answer cannot be one of them",
                  value, path);
      return;
    }
    std::string shown = value.type == "Coding" ? std::string(value_of(child_named(value, "system"))) + "#" +
                                                     std::string(value_of(child_named(value, "code")))
                                               : std::string(value.value);
    run_.report(Severity::Error, "code-invalid",
                "the answer '" + shown + "' is not one of the answerOptions of the item '" + link_id + "'", value, path);
  }

  Run& run_;
  const Element& questionnaire_;
  const Element& response_;
  bool not_completed_;
  std::unordered_map<std::string_view, const Element*> link_ids_;  // every linkId of the Questionnaire, at any level
  // The response items being checked, outermost first, each with its Questionnaire item.
  std::vector<std::pair<const Element*, const Element*>> scopes_;
};

bool has_url(const Element& resource, std::string_view canonical) {
  std::string_view url = value_of(child_named(resource, "url"));
  if (url.empty()) return false;
  if (canonical == url) return true;
  std::string_view version = value_of(child_named(resource, "version"));
  return !version.empty() && canonical.size() == url.size() + 1 + version.size() && canonical.starts_with(url) &&
         canonical[url.size()] == '|' && canonical.ends_with(version);
}

// The Questionnaire the response answers, or null. One read from the definitions is kept in `holder`.
const Element* find_questionnaire(Run& run, const Element& response, std::unique_ptr<model::Document>& holder) {
  std::string_view canonical = value_of(child_named(response, "questionnaire"));
  if (canonical.empty()) return nullptr;
  if (canonical.starts_with('#')) {
    for (const Element* c : response.children()) {
      if (c->name == "contained" && c->type == "Questionnaire" && value_of(child_named(*c, "id")) == canonical.substr(1)) {
        return c;
      }
    }
    return nullptr;
  }
  if (run.frame.bundle) {
    for (const BundleEntry& entry : run.frame.bundle->entries) {
      if (entry.resource && entry.resource->type == "Questionnaire" && has_url(*entry.resource, canonical)) {
        return entry.resource;
      }
    }
  }
  const auto* loaded = run.defs.resource("Questionnaire", canonical);
  if (!loaded) return nullptr;
  model::ParseResult parsed = json::read(loaded->json, run.defs);
  if (!parsed.document || !parsed.document->root()) return nullptr;
  holder = std::move(parsed.document);
  return holder->root();
}

}  // namespace

void check_questionnaire_response(Run& run, const Element& response, const Path& path) {
  std::unique_ptr<model::Document> holder;
  const Element* questionnaire = find_questionnaire(run, response, holder);
  if (!questionnaire) return;  // not found: the reference checks say so where they should
  // Only a completed (or amended) response must answer every required item.
  std::string_view status = value_of(child_named(response, "status"));
  bool not_completed = status != "completed" && status != "amended";
  ResponseCheck(run, *questionnaire, response, not_completed).items(*questionnaire, response, path);
}

}  // namespace carebridge::fhir::validation
