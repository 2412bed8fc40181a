#include "http/server/metrics.hpp"

#include <gtest/gtest.h>

namespace redcell::http {
namespace {

TEST(MetricsRegistry, RendersSampledFiguresWithTheirTypeAtEachRender) {
  MetricsRegistry metrics;
  double hits = 3;
  metrics.add_sampled("redcell_test_hits_total", "Hits", MetricsRegistry::Kind::counter,
                      [&hits] { return hits; });
  metrics.add_sampled("redcell_test_size", "Size", MetricsRegistry::Kind::gauge,
                      [] { return 7.0; });
  auto text = metrics.render();
  EXPECT_NE(text.find("# TYPE redcell_test_hits_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("redcell_test_hits_total 3"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE redcell_test_size gauge"), std::string::npos) << text;
  EXPECT_NE(text.find("redcell_test_size 7"), std::string::npos) << text;
  hits = 5;
  EXPECT_NE(metrics.render().find("redcell_test_hits_total 5"), std::string::npos)
      << "read again at each render";
}

}  // namespace
}  // namespace redcell::http
