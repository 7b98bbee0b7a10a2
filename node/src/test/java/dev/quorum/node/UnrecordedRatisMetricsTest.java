package dev.quorum.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.ratis.metrics.MetricRegistries;
import org.junit.jupiter.api.Test;

class UnrecordedRatisMetricsTest {
  /**
   * Ratis loads the first registry implementation it finds on the class path: with Dropwizard's
   * back beside this one, which of the two a node runs would depend on the order of its jars.
   */
  @Test
  void ratisFindsTheNodesRegistryAndNoOther() {
    assertThat(MetricRegistries.global()).isInstanceOf(UnrecordedRatisMetrics.class);
    assertThat(
            getClass()
                .getClassLoader()
                .getResource("org/apache/ratis/metrics/impl/MetricRegistriesImpl.class"))
        .as("ratis-metrics-default on the node's class path")
        .isNull();
  }
}
