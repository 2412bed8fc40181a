#pragma once
// Prometheus metrics. One registry per process (prometheus-cpp), rendered in the text
// exposition format on our own GET /metrics route. HTTP metrics are created per route up
// front so the request path never looks up a metric by its labels.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Registry;
}

namespace redcell::http {

class Router;

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  prometheus::Registry& registry();
  std::string render() const;  // text format 0.0.4

  // A figure kept elsewhere (the orchestrator pool's counters), read at each render.
  enum class Kind { counter, gauge };
  void add_sampled(std::string name, std::string help, Kind kind, std::function<double()> read);

 private:
  struct Sampled {
    std::string name, help;
    Kind kind;
    std::function<double()> read;
  };
  std::shared_ptr<prometheus::Registry> registry_;
  mutable std::mutex sampled_mu_;
  std::vector<Sampled> sampled_;
};

// Thread-safe.
class HttpMetrics {
 public:
  static constexpr std::size_t kUnmatched = static_cast<std::size_t>(-1);

  HttpMetrics(MetricsRegistry& registry, const Router& router);
  ~HttpMetrics();
  void observe(std::size_t route_index, unsigned status, double seconds);
  void in_flight(int delta);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace redcell::http
