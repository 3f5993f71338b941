"""Why a signature or a file did not pass, in words that complete "Paraksts nav derīgs: …"
(invalid) or "Parakstu nevar pārbaudīt: …" (malformed)."""

from django.utils.translation import gettext_lazy as _

# invalid
FILE_CHANGED = _("datne mainīta pēc parakstīšanas")
FILE_MISSING = _("konteinerā nav parakstītās datnes %(name)s")
FILE_NOT_COVERED = _("konteinerā ir neparakstīta datne %(name)s")
PROPERTIES_CHANGED = _("paraksta dati mainīti pēc parakstīšanas")
PROPERTIES_UNSIGNED = _("paraksta dati nav parakstīti")
VALUE_WRONG = _("paraksta vērtība neatbilst parakstītajiem datiem")
NO_SIGNING_CERTIFICATE = _("paraksts nenorāda parakstītāja sertifikātu")
CERTIFICATE_REVOKED = _("parakstītāja sertifikāts ir atsaukts")
CERTIFICATE_EXPIRED = _("parakstītāja sertifikāts nebija derīgs parakstīšanas brīdī")
CERTIFICATE_INVALID = _("parakstītāja sertifikāts nav derīgs parakstīšanai")
TIMESTAMP_MISMATCH = _("laika zīmogs neattiecas uz šo parakstu")
# untrusted / no time stamp
SIGNER_UNTRUSTED = _("parakstītāja sertifikāts nav uzticams")
NO_TIMESTAMP = _("parakstam nav laika zīmoga")
TSA_UNTRUSTED = _("laika zīmoga izdevējs nav uzticams")
# malformed
NOT_A_CONTAINER = _("datne nav ne ASiC-E konteiners, ne PDF")
ZIP_BROKEN = _("konteiners ir bojāts")
ZIP_TOO_LARGE = _("konteiners ir pārāk liels vai satur pārāk daudz datņu")
MIMETYPE_WRONG = _("konteineram nav pareiza “mimetype” ieraksta")
MANIFEST_MISSING = _("konteineram nav “META-INF/manifest.xml”")
UNSUPPORTED_FORMAT = _("paraksta formāts netiek atbalstīts")
XML_TOO_LARGE = _("paraksta datne ir pārāk liela")
XML_BROKEN = _("paraksta datne ir bojāta")
XML_NO_SIGNATURE = _("paraksta datnē nav paraksta")
XML_DUPLICATE_ID = _("paraksta datnē atkārtojas identifikatori")
NOT_XADES = _("paraksts nav XAdES paraksts")
NO_CERTIFICATE = _("parakstā nav parakstītāja sertifikāta")
UNSUPPORTED_ALGORITHM = _("paraksta algoritms netiek atbalstīts")
TIMESTAMP_BROKEN = _("laika zīmogs ir bojāts")
PDF_BROKEN = _("PDF datne ir bojāta")
