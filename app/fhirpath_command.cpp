// `carebridge fhirpath [--input FILE] EXPR` and `carebridge fhirpath --batch`:
// evaluates FHIRPath and prints the result as a JSON array of {"type", "value"};
// the batch form reads NDJSON {"input", "expression"} lines and answers each with
// one line, parsing each input file once.
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>

#include <rapidjson/document.h>

#include "fhir/fhirpath/fhirpath.h"
#include "fhir/io/format.h"
#include "fhir/json/json_writer.h"
#include "app/command.h"

namespace carebridge::app {
namespace {

namespace fp = fhir::fhirpath;

constexpr const char* kUsage =
    "usage: carebridge fhirpath [--input FILE] EXPRESSION\n"
    "       carebridge fhirpath --batch   (NDJSON {\"input\": PATH, \"expression\": EXPR} lines on stdin)\n";

void append_system_value(const fp::Item& item, std::string& out) {
  using fp::SystemType;
  switch (item.type) {
    case SystemType::Boolean:
      out += item.text == "true" ? "true" : "false";
      return;
    case SystemType::Integer:
    case SystemType::Decimal:
      if (fhir::json::is_json_number(item.text)) {
        out += item.text;
      } else {
        fhir::json::append_json_string(out, item.text);
      }
      return;
    case SystemType::Quantity:
      out += "{\"value\":";
      if (fhir::json::is_json_number(item.text)) out += item.text; else fhir::json::append_json_string(out, item.text);
      out += ",\"unit\":";
      fhir::json::append_json_string(out, item.unit);
      out += '}';
      return;
    default:
      fhir::json::append_json_string(out, item.text);
  }
}

// The result as [{"type": T, "value": V}, ...].
std::string result_json(const fp::Collection& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    const fp::Item& item = items[i];
    if (i > 0) out += ',';
    out += "{\"type\":";
    fhir::json::append_json_string(out, fp::type_name(item));
    out += ",\"value\":";
    if (item.is_type_info) {
      out += "{\"namespace\":";
      fhir::json::append_json_string(out, item.unit);
      out += ",\"name\":";
      fhir::json::append_json_string(out, item.text);
      out += '}';
    } else if (item.element) {
      fhir::json::write_element(*item.element, out);
    } else {
      append_system_value(item, out);
    }
    out += '}';
  }
  out += ']';
  return out;
}

// One parsed input file (or why it could not be read).
struct LoadedInput {
  std::unique_ptr<fhir::model::Document> document;
  std::string error;
};

LoadedInput load(const std::string& path, const fhir::definitions::Definitions& definitions) {
  LoadedInput loaded;
  std::string text, error;
  if (!read_input(path, text, error)) {
    loaded.error = path + ": " + error;
    return loaded;
  }
  auto parsed = fhir::io::read(text, definitions);
  if (!parsed.document || !parsed.document->root()) {
    loaded.error = path + ": " + (parsed.first_error().empty() ? "not a FHIR resource" : parsed.first_error());
    return loaded;
  }
  loaded.document = std::move(parsed.document);
  return loaded;
}

// Evaluates `expression` on `input` (null: no input); false with `error` on failure.
bool evaluate(const fp::Engine& engine, const std::string& expression, const fhir::model::Element* input,
              std::string& json, std::string& error) {
  auto compiled = engine.compile(expression, &error);
  if (!compiled) return false;
  fp::Context context;
  context.check_paths = true;
  fp::Result result = input ? engine.evaluate(*compiled, *input, context) : engine.evaluate_without_input(*compiled, context);
  if (!result.ok) {
    error = result.error;
    return false;
  }
  json = result_json(result.items);
  return true;
}

std::string error_line(const std::string& message) {
  std::string out = "{\"error\":";
  fhir::json::append_json_string(out, message);
  out += '}';
  return out;
}

// One answer line, flushed: a client may write a request and wait for its answer.
void answer(const std::string& line) {
  std::cout << line << '\n';
  std::cout.flush();
}

constexpr size_t kMaxCachedInputs = 256;

int run_batch(const fp::Engine& engine, const fhir::definitions::Definitions& definitions) {
  std::unordered_map<std::string, LoadedInput> inputs;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      answer(error_line("empty line"));
      continue;
    }
    rapidjson::Document request;
    request.Parse(line.data(), line.size());
    if (request.HasParseError() || !request.IsObject()) {
      answer(error_line("not a JSON object"));
      continue;
    }
    auto expression = request.FindMember("expression");
    if (expression == request.MemberEnd() || !expression->value.IsString()) {
      answer(error_line("\"expression\" (a string) is required"));
      continue;
    }
    const fhir::model::Element* focus = nullptr;
    auto input = request.FindMember("input");
    if (input != request.MemberEnd() && !input->value.IsNull()) {
      if (!input->value.IsString()) {
        answer(error_line("\"input\" must be a file path"));
        continue;
      }
      std::string path(input->value.GetString(), input->value.GetStringLength());
      auto it = inputs.find(path);
      if (it == inputs.end()) {
        if (inputs.size() >= kMaxCachedInputs) inputs.clear();  // bounded memory on long batches
        it = inputs.emplace(path, load(path, definitions)).first;
      }
      if (!it->second.document) {
        answer(error_line(it->second.error));
        continue;
      }
      focus = it->second.document->root();
    }
    std::string json, error;
    std::string text(expression->value.GetString(), expression->value.GetStringLength());
    answer(evaluate(engine, text, focus, json, error) ? "{\"result\":" + json + "}" : error_line(error));
  }
  return 0;
}

}  // namespace

int fhirpath_command(const Arguments& arguments) {
  std::string input_path, expression;
  bool batch = false, have_expression = false;
  const auto& args = arguments.args;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--input") {
      if (i + 1 >= args.size()) {
        std::cerr << "carebridge fhirpath: --input needs a file\n" << kUsage;
        return 2;
      }
      input_path = args[++i];
    } else if (a == "--batch") {
      batch = true;
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a.starts_with("--") && a.size() > 2) {
      std::cerr << "carebridge fhirpath: unknown option " << a << "\n" << kUsage;
      return 2;
    } else if (!have_expression) {
      expression = a;
      have_expression = true;
    } else {
      std::cerr << "carebridge fhirpath: one expression only (quote it)\n" << kUsage;
      return 2;
    }
  }
  if (batch == have_expression || (batch && !input_path.empty())) {
    std::cerr << kUsage;
    return 2;
  }
  auto definitions = load_definitions(arguments);
  if (!definitions) return 1;
  fp::Engine engine(*definitions);
  if (batch) return run_batch(engine, *definitions);
  LoadedInput loaded;
  if (!input_path.empty()) {
    loaded = load(input_path, *definitions);
    if (!loaded.document) {
      std::cerr << "carebridge fhirpath: " << loaded.error << "\n";
      return 1;
    }
  }
  std::string json, error;
  if (!evaluate(engine, expression, loaded.document ? loaded.document->root() : nullptr, json, error)) {
    std::cerr << "carebridge fhirpath: " << error << "\n";
    return 1;
  }
  std::cout << json << "\n";
  return 0;
}

}  // namespace carebridge::app
