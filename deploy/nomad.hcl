# SPDX-License-Identifier: ISC
# poold under Nomad: docs/containers.md explains each setting.
job "poold-web" {
  group "web" {
    count = 3

    update {
      max_parallel     = 1
      health_check     = "checks"
      min_healthy_time = "5s"
    }

    network {
      port "http" { to = 8000 }
      port "health" { to = 9000 }
    }

    service {
      name = "poold-web"
      port = "http"
      check {
        type     = "http"
        port     = "health"
        path     = "/readyz"
        interval = "2s"
        timeout  = "1s"
      }
    }

    task "poold" {
      driver = "docker"
      config {
        image = "localhost/poold:latest"
        ports = ["http", "health"]
        # A CFS quota, not only shares: poold sizes its pool from it.
        cpu_hard_limit = true
      }
      # Nomad's default: INT, which poold drains on as TERM
      # (drain_signals); Nomad waits kill_timeout, default 5 s, which
      # must cover drain_delay (15) + graceful_timeout (30).
      kill_signal  = "SIGINT"
      kill_timeout = "60s"
      resources {
        cpu    = 1000
        memory = 512
      }
    }
  }
}
