// Engine: compiles expressions once (cached by text, thread-safe) and evaluates
// them; the function registry; item names for output.
#include <mutex>
#include <unordered_map>

#include "fhir/fhirpath/evaluator.h"
#include "fhir/fhirpath/parser.h"
#include "fhir/fhirpath/quantity.h"
#include "fhir/fhirpath/types.h"
#include "fhir/terminology/terminology.h"

namespace carebridge::fhir::fhirpath {
namespace {

constexpr size_t kMaxCachedExpressions = 10'000;
constexpr size_t kMaxExpressionLength = 64 * 1024;

const definitions::StringMap<const FunctionSpec*>& registry() {
  static const definitions::StringMap<const FunctionSpec*> functions = [] {
    definitions::StringMap<const FunctionSpec*> map;
    for (auto family : {existence_functions(), collection_functions(), string_functions(), math_functions(),
                        conversion_functions(), type_functions(), fhir_functions(), terminology_functions(),
                        temporal_functions()}) {
      for (const FunctionSpec& f : family) map.emplace(std::string(f.name), &f);
    }
    return map;
  }();
  return functions;
}

}  // namespace

const FunctionSpec* find_function(std::string_view name) {
  const auto& map = registry();
  auto it = map.find(name);
  return it == map.end() ? nullptr : it->second;
}

std::optional<bool> Result::as_boolean() const {
  if (!ok || items.empty()) return std::nullopt;
  if (items.size() > 1) return std::nullopt;
  return boolean_value(items.front()).value_or(true);  // a single non-boolean item counts as true
}

struct Engine::Impl {
  explicit Impl(const definitions::Definitions& d) : definitions(d), terminology(d) {}
  const definitions::Definitions& definitions;
  terminology::Terminology terminology;
  std::mutex mutex;
  definitions::StringMap<std::shared_ptr<const Expression>> cache;  // looked up without copying the text
};

Engine::Engine(const definitions::Definitions& definitions) : impl_(std::make_unique<Impl>(definitions)) {}
Engine::~Engine() = default;

const definitions::Definitions& Engine::definitions() const { return impl_->definitions; }

const terminology::Terminology& Engine::terminology() const { return impl_->terminology; }

std::shared_ptr<const Expression> Engine::compile(std::string_view text, std::string* error) const {
  {
    std::lock_guard lock(impl_->mutex);
    if (auto it = impl_->cache.find(text); it != impl_->cache.end()) return it->second;
  }
  std::string key(text);
  std::string message;
  std::unique_ptr<Node> root;
  if (text.size() > kMaxExpressionLength) {
    message = "at 1: expression is too long";
  } else {
    root = parse_expression(text, message);
  }
  if (!root) {
    if (error) *error = message;
    return nullptr;
  }
  auto expression = std::make_shared<const Expression>(key, std::move(root));
  std::lock_guard lock(impl_->mutex);
  if (impl_->cache.size() >= kMaxCachedExpressions) impl_->cache.clear();
  return impl_->cache.emplace(std::move(key), expression).first->second;
}

Result Engine::evaluate(const Expression& expression, const model::Element& focus, const Context& context) const {
  return run(expression, &focus, context);
}

Result Engine::evaluate_without_input(const Expression& expression, const Context& context) const {
  return run(expression, nullptr, context);
}

std::optional<bool> Engine::test(const Expression& expression, const model::Element& focus, const Context& context) const {
  Evaluator evaluator(impl_->definitions, impl_->terminology, context, &focus);
  Scratch input;
  append_element(*input, focus);
  std::optional<bool> value;
  // An error is no answer, as a Result that is not ok reads as none.
  if (!evaluator.truth(expression.root(), Env{&*input, -1, nullptr}, value)) return std::nullopt;
  if (!value && context.empty_fails) return false;
  return value;
}

Result Engine::run(const Expression& expression, const model::Element* focus, const Context& context) const {
  Result result;
  Evaluator evaluator(impl_->definitions, impl_->terminology, context, focus);
  Scratch input;
  if (focus) append_element(*input, *focus);
  Env env{&*input, -1, nullptr};
  if (!evaluator.eval(expression.root(), env, result.items)) {
    result.ok = false;
    result.error = evaluator.error().empty() ? "evaluation failed" : evaluator.error();
    result.items.clear();
  }
  return result;
}

Result Engine::evaluate(std::string_view text, const model::Element& focus, const Context& context) const {
  std::string error;
  auto expression = compile(text, &error);
  if (!expression) {
    Result result;
    result.ok = false;
    result.error = error;
    return result;
  }
  return evaluate(*expression, focus, context);
}

std::string to_string(const Item& item) {
  if (item.element) return std::string(item.element->value);
  if (item.type == SystemType::Quantity) {
    return is_calendar_unit(item.unit) ? item.text + " " + item.unit : item.text + " '" + item.unit + "'";
  }
  return item.text;
}

std::string type_name(const Item& item) {
  if (item.is_type_info) return "TypeInfo";
  if (item.element) return std::string(fhir_type(*item.element));
  return std::string(system_type_name(item.type));
}

}  // namespace carebridge::fhir::fhirpath
