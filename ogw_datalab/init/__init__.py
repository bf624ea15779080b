"""``ogw-datalab init``: a first configuration, catalogue and opgaven for any gemeente, region or the whole country.

From local files recognised by their content (:mod:`.recognise_files`), the files that cover the gemeente are
chosen (:mod:`.choose_sources`, :mod:`.choose_partners`), a first catalogue and opgaven derived
(:mod:`.first_catalogue`) and the three files written (:mod:`.write_configuration`); a region or ``alle`` gives a
configuration of several gemeenten (:mod:`.several_gemeenten`). Without local files, download blocks for the
national open sources of the year are written instead (:mod:`.national_sources`). :func:`write_first_configuration`
runs the steps.
"""

from .find_gemeente import InitError
from .write_first_configuration import Written, write_first_configuration

__all__ = ["InitError", "Written", "write_first_configuration"]
