import Foundation
import SpikeCore
import SpikeData
import SpikeFetch
import SpikeTestKit
import Testing

@Suite("Open-Meteo client")
struct OpenMeteoTests {
    @Test("history: each previous-run value carries the time it was available; zone means for ERCOT")
    func history() async throws {
        try await withFetchEnv { env in
            let store = try env.store()
            let o = try await env.runner(store: store).run(FetchPlan(startDate: day("2025-07-01"), endDate: day("2025-07-02"), dataTypes: [.weather], nodes: []))
            #expect(o.datasets[0].daysComplete == 2)
            #expect(o.weatherRequests == 8)
            let id = SeriesID(.temperature, .forecast, zone: "COAST")
            let s = try #require(try store.loadMarketData(nodes: [], series: [id]).value(id))
            #expect(s.count == 48 * env.config.weatherPreviousDays)
            let t = Instant(utcDate: day("2025-07-02"), hour: 18)
            // At t − 36 h the newest vintage is the 2-day-old run (available t − 48 h).
            let v = try #require(s.latest(at: t.seconds, availableBy: t.seconds - 36 * 3600))
            #expect(v.availableAt == t.seconds - 2 * 86_400)
            #expect(v.value == FakeOpenMeteoServer.value("temperature_2m", latitude: WeatherZone.coast.city.latitude, t: t, daysBack: 2))
            // Nothing later than the cutoff leaks: a cutoff before every vintage finds none.
            #expect(s.latest(at: t.seconds, availableBy: t.seconds - 5 * 86_400) == nil)
            let mean = SeriesID(.temperature, .forecast)
            let m = try #require(try store.loadMarketData(nodes: [], series: [mean]).value(mean))
            let expected = WeatherZone.allCases.map { FakeOpenMeteoServer.value("temperature_2m", latitude: $0.city.latitude, t: t, daysBack: 1) }.reduce(0, +) / 8
            #expect(abs(try #require(m.latest(at: t.seconds, availableBy: t.seconds)).value - expected) < 1e-9)
            let vars = Set(env.weather.requests.flatMap { ($0["hourly"] ?? "").split(separator: ",").map(String.init) })
            #expect(vars.isSuperset(of: ["temperature_2m", "dew_point_2m", "wind_speed_10m", "cloud_cover", "cloud_cover_previous_day4"]))
        }
    }

    @Test("live run: values after the fetch time, available at the fetch time")
    func live() async throws {
        try await withFetchEnv { env in
            let now = Instant(seconds: Int64(env.clock.now()))
            env.weather.setNow(now)
            let client = env.weatherClient()
            let recs = try await client.liveForecast(zone: .west, days: 2)
            #expect(!recs.isEmpty)
            #expect(recs.allSatisfy { $0.availableAt == now && $0.start > now && $0.series.kind == .forecast })
            #expect(Set(recs.map(\.series.quantity)) == [.temperature, .dewpoint, .windspeed, .cloudcover])
        }
    }

    @Test("an API key goes to the server but never into errors or logs; a wrong key is a bad-key error")
    func apiKey() async throws {
        try await withFetchEnv(weatherKey: "om-key-123") { env in
            _ = try await env.weatherClient().history(zone: .north, first: day("2025-05-01"), last: day("2025-05-01"))
            #expect(env.weather.requests.last?["apikey"] == "om-key-123")
            var c = env.config
            c.weatherAPIKey = Secret("om-wrong")
            let e = await expectFetchError { try await env.weatherClient(c).check() }
            #expect(e?.kind == .badAPIKey)
            #expect(e?.description.contains("om-wrong") == false)
            #expect(!env.logs.all.contains { $0.contains("om-key-123") || $0.contains("om-wrong") })
        }
    }

    @Test("customer endpoints are used with a key, public ones without")
    func endpoints() {
        var c = FetchConfiguration()
        #expect(c.resolvedWeatherForecastBase == "https://api.open-meteo.com")
        #expect(c.resolvedWeatherPreviousRunsBase == "https://previous-runs-api.open-meteo.com")
        c.weatherAPIKey = Secret("k")
        #expect(c.resolvedWeatherForecastBase == "https://customer-api.open-meteo.com")
        #expect(c.resolvedWeatherPreviousRunsBase == "https://customer-previous-runs-api.open-meteo.com")
    }
}
