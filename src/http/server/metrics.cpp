#include "http/server/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <vector>

#include "http/server/router.hpp"

namespace redcell::http {

MetricsRegistry::MetricsRegistry() : registry_(std::make_shared<prometheus::Registry>()) {}
MetricsRegistry::~MetricsRegistry() = default;
prometheus::Registry& MetricsRegistry::registry() {
  return *registry_;
}

std::string MetricsRegistry::render() const {
  auto families = registry_->Collect();
  {
    std::lock_guard lk(sampled_mu_);
    for (const auto& s : sampled_) {
      prometheus::MetricFamily f;
      f.name = s.name;
      f.help = s.help;
      prometheus::ClientMetric m;
      if (s.kind == Kind::counter) {
        f.type = prometheus::MetricType::Counter;
        m.counter.value = s.read();
      } else {
        f.type = prometheus::MetricType::Gauge;
        m.gauge.value = s.read();
      }
      f.metric.push_back(std::move(m));
      families.push_back(std::move(f));
    }
  }
  prometheus::TextSerializer serializer;
  return serializer.Serialize(families);
}

void MetricsRegistry::add_sampled(std::string name, std::string help, Kind kind,
                                  std::function<double()> read) {
  std::lock_guard lk(sampled_mu_);
  sampled_.push_back({std::move(name), std::move(help), kind, std::move(read)});
}

namespace {
constexpr std::array<const char*, 5> kClasses = {"1xx", "2xx", "3xx", "4xx", "5xx"};
}

struct HttpMetrics::Impl {
  struct PerRoute {
    std::array<prometheus::Counter*, 5> by_class{};
    prometheus::Histogram* latency = nullptr;
  };
  std::vector<PerRoute> routes;  // index = route index; the last one is "unmatched"
  prometheus::Gauge* in_flight = nullptr;
};

HttpMetrics::HttpMetrics(MetricsRegistry& registry, const Router& router)
    : impl_(std::make_unique<Impl>()) {
  auto& reg = registry.registry();
  auto& requests = prometheus::BuildCounter()
                       .Name("redcell_http_requests_total")
                       .Help("HTTP requests answered, by route pattern, method and status class")
                       .Register(reg);
  auto& latency = prometheus::BuildHistogram()
                      .Name("redcell_http_request_duration_seconds")
                      .Help("Time from the end of the request header to the response, by route")
                      .Register(reg);
  auto& in_flight = prometheus::BuildGauge()
                        .Name("redcell_http_requests_in_flight")
                        .Help("HTTP requests being handled now")
                        .Register(reg);
  const prometheus::Histogram::BucketBoundaries buckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};

  auto add_route = [&](const std::string& method, const std::string& pattern) {
    Impl::PerRoute pr;
    for (std::size_t c = 0; c < kClasses.size(); ++c)
      pr.by_class[c] =
          &requests.Add({{"route", pattern}, {"method", method}, {"code", kClasses[c]}});
    pr.latency = &latency.Add({{"route", pattern}, {"method", method}}, buckets);
    impl_->routes.push_back(pr);
  };
  for (const auto& r : router.routes()) add_route(r.method, r.pattern);
  add_route("any", "unmatched");
  impl_->in_flight = &in_flight.Add({});
}

HttpMetrics::~HttpMetrics() = default;

void HttpMetrics::observe(std::size_t route_index, unsigned status, double seconds) {
  auto& pr =
      route_index < impl_->routes.size() - 1 ? impl_->routes[route_index] : impl_->routes.back();
  std::size_t cls = status / 100;
  if (cls >= 1 && cls <= 5) pr.by_class[cls - 1]->Increment();
  pr.latency->Observe(seconds);
}

void HttpMetrics::in_flight(int delta) {
  impl_->in_flight->Increment(delta);
}

}  // namespace redcell::http
