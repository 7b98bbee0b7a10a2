package dev.quorum.node;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis' metric registries for a node, which record nothing: Quorum reports none of Ratis' metrics.
 *
 * <p>Ratis times each log append, flush, sync, apply and RPC of every group through its registries.
 * Its default implementation ({@code ratis-metrics-default}) keeps each timer in a Dropwizard
 * histogram whose reservoir is a skip list, updated on every event and held in the old generation:
 * under produce load that took about 3% of a node's CPU, besides the garbage, for numbers that no
 * reporter read. Ratis finds this class through {@code META-INF/services}; when Quorum comes to
 * export metrics, a registry that keeps the few it reports takes its place.
 */
public final class UnrecordedRatisMetrics extends MetricRegistries {
  private static final Timekeeper.Context STOPPED = () -> 0L;
  private static final Timekeeper TIMER = () -> STOPPED;
  private static final LongCounter COUNTER =
      new LongCounter() {
        @Override
        public void inc(long n) {}

        @Override
        public void dec(long n) {}

        @Override
        public long getCount() {
          return 0;
        }
      };

  @Override
  public RatisMetricRegistry create(MetricRegistryInfo info) {
    return new Registry(info);
  }

  /** Nothing is kept, so each caller that asks builds its own registry, and nothing leaks. */
  @Override
  public Optional<RatisMetricRegistry> get(MetricRegistryInfo info) {
    return Optional.empty();
  }

  @Override
  public boolean remove(MetricRegistryInfo key) {
    return false;
  }

  @Override
  public void clear() {}

  @Override
  public Set<MetricRegistryInfo> getMetricRegistryInfos() {
    return Set.of();
  }

  @Override
  public Collection<RatisMetricRegistry> getMetricRegistries() {
    return List.of();
  }

  @Override
  public void addReporterRegistration(
      Consumer<RatisMetricRegistry> reporterRegistration,
      Consumer<RatisMetricRegistry> stopReporter) {
    throw notRecorded();
  }

  @Override
  public void enableJmxReporter() {
    throw notRecorded();
  }

  @Override
  public void enableConsoleReporter(TimeDuration consoleReportRate) {
    throw notRecorded();
  }

  private static UnsupportedOperationException notRecorded() {
    return new UnsupportedOperationException("Ratis' metrics are not recorded on a Quorum node");
  }

  private record Registry(MetricRegistryInfo info) implements RatisMetricRegistry {
    @Override
    public Timekeeper timer(String name) {
      return TIMER;
    }

    @Override
    public LongCounter counter(String name) {
      return COUNTER;
    }

    @Override
    public boolean remove(String name) {
      return false;
    }

    @Override
    public <T> void gauge(String name, Supplier<Supplier<T>> gaugeSupplier) {}

    @Override
    public MetricRegistryInfo getMetricRegistryInfo() {
      return info;
    }
  }
}
