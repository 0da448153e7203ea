#!/usr/bin/env bash
# Extract the wrapped strings into portal/translations/messages.pot, merge them into each
# locale's messages.po, and compile every catalog to the messages.mo that Flask-Babel loads.
#
# Run it after adding, changing or removing a string wrapped in _(), gettext or lazy_gettext
# (_l) in portal/ or templates/. Then translate the new and fuzzy entries in each
# messages.po, run it again to compile, and commit the .pot, .po and .mo files together.
# tests/test_translations.py fails while a wrapped string has no Spanish translation.
#
# Usage: scripts/update_translations.sh [LOCALE ...]
# Every locale that already has a catalog is updated. A LOCALE without one (default: es)
# gets a new catalog from `pybabel init`.
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ -x .venv/bin/pybabel ]]; then
    pybabel=.venv/bin/pybabel
else
    pybabel=pybabel
fi

translations=portal/translations
template="$translations/messages.pot"
mkdir -p "$translations"

# Locations stay in the template for translators, and sorting by msgid keeps diffs small.
# -c TRANSLATORS: copies a "# TRANSLATORS: ..." comment above a string into the catalogs.
"$pybabel" extract \
    --mapping-file=babel.cfg \
    --output-file="$template" \
    --sort-output \
    --keyword=_l --keyword=lazy_gettext \
    --add-comments=TRANSLATORS: \
    --project="Equity Plan Portal" \
    .

requested=("$@")
if [[ ${#requested[@]} -eq 0 ]]; then
    requested=(es)
fi

for locale in "${requested[@]}"; do
    if [[ ! -f "$translations/$locale/LC_MESSAGES/messages.po" ]]; then
        "$pybabel" init --input-file="$template" --output-dir="$translations" --locale="$locale"
    fi
done

# Without --locale, update merges the template into every catalog under the directory.
# --ignore-obsolete drops translations of strings that are gone from the source.
"$pybabel" update \
    --input-file="$template" \
    --output-dir="$translations" \
    --ignore-obsolete

# Untranslated and fuzzy entries are left out of the .mo, so those strings show in English.
# A catalog whose header is marked fuzzy is skipped entirely until the flag is removed.
"$pybabel" compile --directory="$translations" --statistics
