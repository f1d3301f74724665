"""(being built)"""
from ..pages import Routes

routes = Routes()
