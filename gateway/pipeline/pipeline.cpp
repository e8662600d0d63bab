// The pipeline's run: route, stages before, handler, stages after (in reverse).
#include "gateway/pipeline/pipeline.h"

#include "fhir/validation/operation_outcome.h"

namespace carebridge::gateway::pipeline {

Pipeline::Pipeline(RouteTable routes, std::vector<std::unique_ptr<Stage>> stages, std::vector<Observer*> observers)
    : routes_(std::move(routes)), stages_(std::move(stages)), observers_(std::move(observers)) {}

void Pipeline::handle(std::shared_ptr<const http::Request> request, http::Responder responder) const {
  auto exchange = std::make_shared<Exchange>();
  exchange->request = request;
  exchange->path = std::string_view(request->target).substr(0, request->target.find('?'));
  exchange->route = routes_.match(exchange->path, exchange->params);
  // The response goes back through the stages that let the request in, last first.
  auto back = [this, exchange](size_t passed, http::Response response) {
    for (size_t i = passed; i-- > 0;) stages_[i]->after(*exchange, response);
    return response;
  };
  for (size_t i = 0; i < stages_.size(); ++i) {
    if (auto refused = stages_[i]->before(*exchange)) {
      auto response = std::make_shared<http::Response>(back(i + 1, std::move(*refused)));
      return responder.reply([response] { return std::move(*response); });
    }
  }
  const Route* route = exchange->route;
  if (!route || !route->answers()) {
    std::string why = !route ? "no such endpoint: " + std::string(exchange->path)
                             : "'" + route->name + "' (" + route->path + ") is not available in this version";
    auto response = std::make_shared<http::Response>(back(stages_.size(), outcome_response(404, "not-found", why)));
    return responder.reply([response] { return std::move(*response); });
  }
  http::Responder wrapped;
  wrapped.defer = responder.defer;
  wrapped.reply = [reply = std::move(responder.reply), back, n = stages_.size()](std::function<http::Response()> make) {
    reply([make = std::move(make), back, n] { return back(n, make()); });
  };
  // The exchange's request: a stage may have replaced it (RequestDecompression inflates the body).
  if (route->caller_handler) return route->caller_handler(exchange->request, exchange->principal, std::move(wrapped));
  route->handler(exchange->request, std::move(wrapped));
}

void Pipeline::observe(const http::Request& request, const http::Response& response, double seconds) const {
  if (observers_.empty()) return;
  std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  RouteParams params;
  const Route* route = routes_.match(path, params);
  std::string label = !route ? std::string("other") : route->label ? route->label(path) : route->path;
  for (Observer* o : observers_) o->observe(request, label, response, seconds);
}

http::Response outcome_response(unsigned status, const std::string& code, const std::string& message) {
  return fhir_json_response(status, fhir::validation::operation_outcome_json({{fhir::model::Severity::Error, code, message, {}, {}}}));
}

http::Response fhir_json_response(unsigned status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.set_header("Content-Type", "application/fhir+json; charset=utf-8");
  return r;
}

}  // namespace carebridge::gateway::pipeline
