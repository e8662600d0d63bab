// gateway/pipeline: how a request travels through the gateway. The route table
// names every place a request can go (the FHIR API under its base, /healthz,
// /readyz, /metrics, the home page, and the slots of routes still to come: agency
// ingest, uploads, subscriptions, tokens); the pipeline (pipeline.h) runs the
// stages every request passes (security headers, request checks, CORS, compression,
// authorization, rate limit) around the route's handler, and the observers after it
// (request log, metrics).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/http/message.h"
#include "gateway/security/principal.h"

namespace carebridge::gateway::pipeline {

// Values a route's template names: "/ingest/{mapping}" on "/ingest/hmis" gives {"mapping", "hmis"}.
using RouteParams = std::vector<std::pair<std::string, std::string>>;

struct Route {
  std::string name;       // "fhir", "healthz", "ingest", ...
  std::string path;       // "/healthz", "/ingest/{mapping}", or a prefix ("/fhir")
  bool prefix = false;    // the route answers `path` and everything below it
  http::Handler handler;  // null: a slot for a route still to come (answered 404 with its name)
  // The bounded label for metrics ("/fhir/Patient/{id}"); null: the route's path.
  std::function<std::string(std::string_view path)> label;
  // A handler that answers for the caller the authorization stage established
  // (null principal: anonymous or the open server); used instead of `handler` when set.
  std::function<void(std::shared_ptr<const http::Request>, std::shared_ptr<const security::Principal>, http::Responder)>
      caller_handler = nullptr;
  bool answers() const { return handler || caller_handler; }
};

class RouteTable {
 public:
  void add(Route route);
  // The route for a path (without its query) and the values its template names; null when none.
  const Route* match(std::string_view path, RouteParams& params) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// The value a route template named, or empty.
std::string_view route_param(const RouteParams& params, std::string_view name);

}  // namespace carebridge::gateway::pipeline
