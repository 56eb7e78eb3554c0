"""GIMP-side glue of the Halloween Mask plug-in: export a layer, place a result, ask for the key.

Every function here calls ``Gimp``/``Gtk`` and so runs on the plug-in's main thread only.
"""
