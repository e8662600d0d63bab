// The routes that are not the FHIR API: the home page for a person, health and
// readiness probes, Prometheus metrics, and the slots of routes still to come.
#pragma once

#include <string>
#include <vector>

#include "gateway/http/metrics.h"
#include "gateway/pipeline/routes.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::pipeline {

// GET / : a small HTML page saying what this server is, with links.
Route home_route(const std::string& fhir_base);
// GET /carebridge.css: the pages' stylesheet (the pages' Content-Security-Policy
// allows no inline style, see security_headers.h).
Route stylesheet_route();
// GET /healthz: the process answers. GET /readyz: and the store too (else 503).
Route healthz_route();
Route readyz_route(store::Store& store);
// GET /metrics in the Prometheus text format.
Route metrics_route(const http::Metrics& metrics);
// Named slots for what the next versions add (answered 404 with their name today):
// /ingest/{mapping} where a build has no ingest.
std::vector<Route> routes_to_come();

}  // namespace carebridge::gateway::pipeline
