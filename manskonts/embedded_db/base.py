"""Django's PostgreSQL backend that starts the embedded server at its first connection (or dbshell),
so a command that never connects never starts one."""

from __future__ import annotations

from pathlib import Path

from django.db.backends.postgresql import base, client

from manskonts.embedded_db import DATABASE_NAME, start


class DatabaseClient(client.DatabaseClient):
    def runshell(self, parameters):
        self.connection.start_embedded()
        super().runshell(parameters)


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def start_embedded(self) -> None:
        embedded = self.settings_dict["EMBEDDED"]
        name = self.settings_dict["NAME"]
        self.settings_dict.update(
            start(
                Path(embedded["DATA_DIR"]),
                keep_running=embedded["KEEP_RUNNING"],
                # Django makes the test database itself (connected to "postgres").
                database=name if name == DATABASE_NAME else None,
            )
        )

    def get_connection_params(self):
        self.start_embedded()
        return super().get_connection_params()
