// The FHIRPath extractor (see search_index.h): every supported SearchParameter
// expression is compiled once at start-up and evaluated per stored resource.
#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "fhir/time/fhir_time.h"
#include "fhir/search/index.h"

namespace carebridge::fhir::search {

using fhir::time::date_range;
namespace {

using fhir::fhirpath::Engine;
using fhir::fhirpath::Expression;
using fhir::fhirpath::Item;
using fhir::fhirpath::SystemType;

// References are not resolved when indexing: `resolve() is Patient` becomes a check
// of the reference text's type.
std::string without_resolve(const std::string& expression) {
  static const std::regex kResolveIs(R"(resolve\(\)\s+is\s+([A-Za-z]+))");
  return std::regex_replace(expression, kResolveIs, "(reference.startsWith('$1/') or reference.contains('/$1/'))");
}

// The R4 definitions write some type tests with FHIRPath's System names, which no FHIR
// element has ("value.as(DateTime)" in code-value-date): the FHIR primitive they stand for.
std::string with_fhir_primitive_types(const std::string& expression) {
  static const std::regex kSystemType(R"(\b(as|is|ofType)\((?:System\.)?(DateTime|Date|Time|String|Boolean|Integer|Decimal)\))");
  std::string out;
  auto last = expression.cbegin();
  for (std::sregex_iterator it(expression.begin(), expression.end(), kSystemType), end; it != end; ++it) {
    const auto& m = *it;
    std::string name = m[2].str();
    name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    out.append(last, m[0].first).append(m[1].str() + "(" + name + ")");
    last = m[0].second;
  }
  return out.append(last, expression.cend());
}

// Rows for a System value an expression produced (not a node of the resource).
void index_system_value(const SearchParam& param, const Item& item, std::vector<IndexEntry>& out) {
  IndexEntry e;
  e.param = param.code;
  const std::string& t = param.type;
  if (t == "string") {
    e.kind = IndexKind::String;
    e.text = item.text;
    e.norm = fold(item.text);
  } else if (t == "token" || t == "uri") {
    e.kind = t == "token" ? IndexKind::Token : IndexKind::Uri;
    (t == "token" ? e.code : e.text) = item.text;
  } else if (t == "reference") {
    e.kind = IndexKind::Reference;
    e.text = item.text;
    e.code = reference_key(item.text);
    if (e.code.empty()) e.code = e.text;
  } else if (t == "date") {
    e.kind = IndexKind::Range;
    auto range = date_range(item.text);
    if (!range) return;
    e.low = range->first;
    e.high = range->second;
  } else if (t == "number" || t == "quantity") {
    e.kind = IndexKind::Range;
    char* end = nullptr;
    double v = std::strtod(item.text.c_str(), &end);
    if (item.text.empty() || end != item.text.c_str() + item.text.size()) return;
    e.low = v;
    e.high = v;
    e.code = item.unit;
  } else {
    return;
  }
  out.push_back(std::move(e));
}

class FhirpathExtractor final : public IndexExtractor {
 public:
  FhirpathExtractor(const SearchRegistry& registry, const Engine& engine, bool prefer_paths) : engine_(engine) {
    for (const auto& type : registry.types()) {
      auto& compiled = by_type_[type];
      auto& composites = composites_[type];
      for (const auto& [code, param] : registry.of(type)) {
        if (is_resource_column(code) || !param.has_own_rows()) continue;
        if (param.type == "composite") {
          if (auto c = compile_composite(param)) composites.push_back(std::move(*c));
          continue;
        }
        if (prefer_paths && path_reads_fully(param, type)) {
          fallback_params_.insert(&param);
          continue;
        }
        std::string error;
        auto expression = engine.compile(without_resolve(param.expression), &error);
        if (expression) {
          compiled.push_back({&param, std::move(expression)});
        } else {
          fallback_params_.insert(&param);
        }
      }
    }
    fallback_ = make_path_extractor(registry, [this](const SearchParam& p) { return fallback_params_.count(&p) > 0; });
  }

  std::vector<IndexEntry> extract(const fhir::model::Element& resource) const override {
    std::vector<IndexEntry> out = fallback_->extract(resource);
    if (auto c = composites_.find(std::string(resource.type)); c != composites_.end()) {
      for (const auto& composite : c->second) extract_composite(composite, resource, out);
    }
    auto it = by_type_.find(std::string(resource.type));
    if (it == by_type_.end()) return out;
    for (const auto& c : it->second) {
      auto result = engine_.evaluate(*c.expression, resource);
      if (!result.ok) continue;  // a failing expression indexes nothing for this parameter
      for (size_t n = 0; n < result.items.size() && n < kMaxIndexedValues; ++n) {
        const Item& item = result.items[n];
        if (item.element) {
          index_value(*c.param, *item.element, out);
        } else {
          index_system_value(*c.param, item, out);
        }
      }
    }
    return out;
  }

 private:
  struct Compiled {
    const SearchParam* param;
    std::shared_ptr<const Expression> expression;
  };
  struct Composite {
    const SearchParam* param;
    std::shared_ptr<const Expression> expression;
    SearchParam parts[2];  // each part as a parameter of its own type, for its rows
    std::shared_ptr<const Expression> part_expressions[2];
  };

  std::optional<Composite> compile_composite(const SearchParam& param) const {
    Composite c{&param, engine_.compile(without_resolve(param.expression)), {}, {}};
    if (!c.expression) return std::nullopt;
    for (size_t i = 0; i < 2; ++i) {
      c.parts[i].code = param.code;
      c.parts[i].type = param.components[i].type;
      c.part_expressions[i] = engine_.compile(with_fhir_primitive_types(param.components[i].expression));
      if (!c.part_expressions[i]) return std::nullopt;
    }
    return c;
  }

  // Rows of the parts' values on each node the composite selects, paired.
  void extract_composite(const Composite& c, const fhir::model::Element& resource, std::vector<IndexEntry>& out) const {
    auto nodes = engine_.evaluate(*c.expression, resource);
    if (!nodes.ok) return;
    for (const Item& node : nodes.items) {
      if (!node.element) continue;
      std::vector<IndexEntry> rows[2];
      for (size_t i = 0; i < 2; ++i) {
        auto values = engine_.evaluate(*c.part_expressions[i], *node.element);
        if (!values.ok) break;
        for (const Item& v : values.items) {
          if (v.element) {
            index_value(c.parts[i], *v.element, rows[i]);
          } else {
            index_system_value(c.parts[i], v, rows[i]);
          }
        }
      }
      index_composite(*c.param, rows[0], rows[1], out);
    }
  }

  const Engine& engine_;
  std::map<std::string, std::vector<Compiled>, std::less<>> by_type_;
  std::map<std::string, std::vector<Composite>, std::less<>> composites_;
  std::set<const SearchParam*> fallback_params_;
  std::unique_ptr<IndexExtractor> fallback_;
};

}  // namespace

std::unique_ptr<IndexExtractor> make_fhirpath_extractor(const SearchRegistry& registry, const Engine& engine,
                                                        bool prefer_paths) {
  return std::make_unique<FhirpathExtractor>(registry, engine, prefer_paths);
}

}  // namespace carebridge::fhir::search
