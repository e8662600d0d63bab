// The request pipeline: every request is matched to a route, passes the stages in
// order (each may refuse it with an OperationOutcome, and may change the response
// on its way back), and reaches its route's handler; after the response is written
// the observers (request log, metrics) are told, with the route's bounded label.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/http/message.h"
#include "gateway/pipeline/routes.h"
#include "gateway/security/principal.h"

namespace carebridge::gateway::pipeline {

// One request on its way through the pipeline.
struct Exchange {
  std::shared_ptr<const http::Request> request;
  std::string_view path;        // the target without its query (in request's memory)
  const Route* route = nullptr;  // null: no route matched
  RouteParams params;
  // Who is calling, once the authorization stage knows (null: anonymous, or the open server).
  std::shared_ptr<const security::Principal> principal;
};

class Stage {
 public:
  virtual ~Stage() = default;
  // Before the route's handler. A response refuses the request: the handler does not run.
  virtual std::optional<http::Response> before(Exchange&) { return std::nullopt; }
  // On the way back, on the connection's I/O thread: may add headers or change the body.
  virtual void after(const Exchange&, http::Response&) {}
};

// Told of every response written: the route's label ("/fhir/Patient/{id}", "other").
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void observe(const http::Request& request, const std::string& route_label, const http::Response& response,
                       double seconds) = 0;
};

class Pipeline {
 public:
  Pipeline(RouteTable routes, std::vector<std::unique_ptr<Stage>> stages, std::vector<Observer*> observers);

  // The http::Handler: routes the request through the stages to its handler.
  void handle(std::shared_ptr<const http::Request> request, http::Responder responder) const;
  // For the server's observer hook: labels the request's route and tells the observers.
  void observe(const http::Request& request, const http::Response& response, double seconds) const;
  const RouteTable& routes() const { return routes_; }

 private:
  RouteTable routes_;
  std::vector<std::unique_ptr<Stage>> stages_;
  std::vector<Observer*> observers_;
};

// A FHIR OperationOutcome response (JSON) with one error issue: how the pipeline
// and the server refuse a request outside the FHIR API's own handling.
http::Response outcome_response(unsigned status, const std::string& code, const std::string& message);
// A response carrying FHIR JSON.
http::Response fhir_json_response(unsigned status, std::string body);

}  // namespace carebridge::gateway::pipeline
