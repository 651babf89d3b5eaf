from . import cti_api
